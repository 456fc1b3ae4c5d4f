"""The cost guard's brake for EKS: told by the budget's SNS topic, scale every node group of the
course to zero nodes. Generated infrastructure gives it NODEGROUPS (JSON: [{"cluster": ..., "nodegroup": ...}]).
`terraform apply` brings the nodes back."""
import json
import os

import boto3

eks = boto3.client("eks")


def handler(event, context):
    stopped = []
    for group in json.loads(os.environ["NODEGROUPS"]):
        eks.update_nodegroup_config(
            clusterName=group["cluster"],
            nodegroupName=group["nodegroup"],
            scalingConfig={"minSize": 0, "desiredSize": 0},
        )
        stopped.append(f'{group["cluster"]}/{group["nodegroup"]}')
    print(json.dumps({"scaled_to_zero": stopped}))
    return {"scaled_to_zero": stopped}
