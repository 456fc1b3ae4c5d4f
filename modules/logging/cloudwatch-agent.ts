/**
 * The CloudWatch agent on the week-2 Docker host: Docker's json-file logs of every container, the
 * first-boot log, and memory and disk use (which EC2 does not measure by itself).
 */
const CONFIG_PATH = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json";

export function cloudWatchAgentConfig(logGroupName: string): Record<string, unknown> {
  return {
    agent: { metrics_collection_interval: 60, run_as_user: "root" },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            { file_path: "/var/lib/docker/containers/*/*-json.log", log_group_name: logGroupName, log_stream_name: "{instance_id}/containers", timezone: "UTC" },
            { file_path: "/var/log/cloud-init-output.log", log_group_name: logGroupName, log_stream_name: "{instance_id}/cloud-init", timezone: "UTC" },
          ],
        },
      },
    },
    metrics: {
      namespace: "CWAgent",
      append_dimensions: { InstanceId: "${aws:InstanceId}" },
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: ["/"] },
      },
    },
  };
}

export function cloudWatchAgentScript(config: Record<string, unknown>): string {
  return [
    "dnf install -y amazon-cloudwatch-agent",
    `cat > ${CONFIG_PATH} <<'CWAGENT'`,
    JSON.stringify(config, null, 2),
    "CWAGENT",
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${CONFIG_PATH}`,
  ].join("\n");
}
