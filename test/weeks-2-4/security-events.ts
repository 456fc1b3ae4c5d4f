/**
 * Security events as EventBridge delivers them (and as SNS wraps them for the notifier), in the shapes
 * AWS documents: a GuardDuty finding (the GuardDuty user guide's EventBridge format around its sample
 * findings), CloudTrail's AuthorizeSecurityGroupIngress and CreateAccessKey records ("AWS API Call via
 * CloudTrail"), and its ConsoleLogin records ("AWS Console Sign In via CloudTrail"). Ids and addresses
 * are AWS's documentation examples.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SampleEvent = { [key: string]: Json };

/** Overrides merged into a sample, `detail` merged one level deep. */
export interface Overrides {
  readonly detail?: { [key: string]: Json };
  readonly [key: string]: Json | undefined;
}

function merged(base: SampleEvent, overrides: Overrides = {}): SampleEvent {
  const { detail, ...rest } = overrides;
  return { ...base, ...(rest as SampleEvent), detail: { ...(base.detail as { [key: string]: Json }), ...(detail ?? {}) } };
}

/** A GuardDuty finding: instance-role credentials used from outside AWS (severity 8, high), a sample finding. */
export function guardDutyFinding(overrides?: Overrides): SampleEvent {
  return merged(
    {
      version: "0",
      id: "c8c4daa7-a20c-2f03-0070-b7393dd542ad",
      "detail-type": "GuardDuty Finding",
      source: "aws.guardduty",
      account: "123456789012",
      time: "2026-03-02T05:06:07Z",
      region: "ap-northeast-2",
      resources: [],
      detail: {
        schemaVersion: "2.0",
        accountId: "123456789012",
        region: "ap-northeast-2",
        partition: "aws",
        id: "16afba5c5c43e07c9e3e5e2e544e95df",
        arn: "arn:aws:guardduty:ap-northeast-2:123456789012:detector/123456789012345678901234567890/finding/16afba5c5c43e07c9e3e5e2e544e95df",
        type: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
        resource: {
          resourceType: "AccessKey",
          accessKeyDetails: { accessKeyId: "ASIASZCZ3FXAMPLE", principalId: "AROA123456789EXAMPLE:i-99999999", userName: "GeneratedFindingUserName", userType: "AssumedRole" },
        },
        service: {
          serviceName: "guardduty",
          detectorId: "123456789012345678901234567890",
          action: {
            actionType: "AWS_API_CALL",
            awsApiCallAction: {
              api: "GeneratedFindingAPIName",
              serviceName: "GeneratedFindingAPIServiceName",
              callerType: "Remote IP",
              remoteIpDetails: { ipAddressV4: "198.51.100.0", organization: { asn: "-1", asnOrg: "GeneratedFindingASNOrg", isp: "GeneratedFindingISP", org: "GeneratedFindingORG" } },
            },
          },
          resourceRole: "TARGET",
          additionalInfo: { sample: true },
          eventFirstSeen: "2026-03-02T05:00:00.000Z",
          eventLastSeen: "2026-03-02T05:06:00.000Z",
          archived: false,
          count: 1,
        },
        severity: 8,
        createdAt: "2026-03-02T05:06:07.000Z",
        updatedAt: "2026-03-02T05:06:07.000Z",
        title: "Credentials for the EC2 instance role GeneratedFindingUserName used from an external IP address.",
        description: "Credentials created exclusively for an EC2 instance using instance role GeneratedFindingUserName have been used from external IP address 198.51.100.0.",
      },
    },
    overrides,
  );
}

/** A GuardDuty finding about an instance: SSH brute force against i-99999999 (severity 2, low). */
export function instanceFinding(): SampleEvent {
  return guardDutyFinding({
    detail: {
      id: "46ba0ac2845071e23ccdeb2ae03bfdea",
      type: "UnauthorizedAccess:EC2/SSHBruteForce",
      severity: 2,
      title: "198.51.100.1 is performing SSH brute force attacks against i-99999999.",
      description: "198.51.100.1 is performing SSH brute force attacks against i-99999999. Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password.",
      resource: { resourceType: "Instance", instanceDetails: { instanceId: "i-99999999", instanceType: "t3.micro" } },
      service: {
        serviceName: "guardduty",
        action: {
          actionType: "NETWORK_CONNECTION",
          networkConnectionAction: { connectionDirection: "INBOUND", protocol: "TCP", blocked: false, localPortDetails: { port: 22, portName: "SSH" }, remoteIpDetails: { ipAddressV4: "198.51.100.1" } },
        },
        count: 14,
      },
    },
  });
}

/** CloudTrail's record of AuthorizeSecurityGroupIngress: SSH opened to 0.0.0.0/0 (pass other ranges to change it). */
export function securityGroupOpened(ranges: { [key: string]: Json } = { ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }, overrides?: Overrides): SampleEvent {
  return merged(
    {
      version: "0",
      id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ec2",
      account: "123456789012",
      time: "2026-03-02T05:06:07Z",
      region: "ap-northeast-2",
      resources: [],
      detail: {
        eventVersion: "1.08",
        userIdentity: { type: "IAMUser", principalId: "AIDACKCEVSQ6C2EXAMPLE", arn: "arn:aws:iam::123456789012:user/kim", accountId: "123456789012", accessKeyId: "AKIAIOSFODNN7EXAMPLE", userName: "kim" },
        eventTime: "2026-03-02T05:06:07Z",
        eventSource: "ec2.amazonaws.com",
        eventName: "AuthorizeSecurityGroupIngress",
        awsRegion: "ap-northeast-2",
        sourceIPAddress: "203.0.113.7",
        userAgent: "aws-cli/2.15.0",
        requestParameters: {
          groupId: "sg-0123456789abcdef0",
          ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, groups: {}, prefixListIds: {}, ipRanges: {}, ipv6Ranges: {}, ...ranges }] },
        },
        responseElements: { requestId: "f2a5b6c7-1234-4d3e-8f9a-0b1c2d3e4f5a", _return: true },
        requestID: "f2a5b6c7-1234-4d3e-8f9a-0b1c2d3e4f5a",
        eventID: "8b4e6c3f-1d2a-4b5c-9e8f-7a6b5c4d3e2f",
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: "123456789012",
        eventCategory: "Management",
      },
    },
    overrides,
  );
}

/** A console sign-in as CloudTrail records it (us-east-1 for the root user); the root user, successful, without MFA by default. */
export function consoleSignIn(options: { user?: "Root" | "IAMUser"; mfa?: "Yes" | "No"; outcome?: "Success" | "Failure" } = {}, overrides?: Overrides): SampleEvent {
  const { user = "Root", mfa = "No", outcome = "Success" } = options;
  const identity: { [key: string]: Json } =
    user === "Root"
      ? { type: "Root", principalId: "123456789012", arn: "arn:aws:iam::123456789012:root", accountId: "123456789012" }
      : { type: "IAMUser", principalId: "AIDACKCEVSQ6C2EXAMPLE", arn: "arn:aws:iam::123456789012:user/JohnDoe", accountId: "123456789012", userName: "JohnDoe" };
  return merged(
    {
      version: "0",
      id: "3f2d1c0b-9a8e-4f7d-b6c5-a4b3c2d1e0f9",
      "detail-type": "AWS Console Sign In via CloudTrail",
      source: "aws.signin",
      account: "123456789012",
      time: "2026-03-02T05:06:07Z",
      region: "us-east-1",
      resources: [],
      detail: {
        eventVersion: "1.08",
        userIdentity: identity,
        eventTime: "2026-03-02T05:06:07Z",
        eventSource: "signin.amazonaws.com",
        eventName: "ConsoleLogin",
        awsRegion: "us-east-1",
        sourceIPAddress: "192.0.2.0",
        userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
        requestParameters: null,
        responseElements: { ConsoleLogin: outcome },
        additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true", MobileVersion: "No", MFAUsed: mfa },
        ...(outcome === "Failure" ? { errorMessage: "Failed authentication" } : {}),
        eventID: "deb1e1f9-c99b-4612-8e9f-21f93b5c79c0",
        readOnly: false,
        eventType: "AwsConsoleSignIn",
        managementEvent: true,
        recipientAccountId: "123456789012",
        eventCategory: "Management",
      },
    },
    overrides,
  );
}

/** CloudTrail's record of CreateAccessKey: kim makes a key for JaneDoe (IAM records in us-east-1). */
export function accessKeyCreated(overrides?: Overrides): SampleEvent {
  return merged(
    {
      version: "0",
      id: "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.iam",
      account: "123456789012",
      time: "2026-03-02T05:06:07Z",
      region: "us-east-1",
      resources: [],
      detail: {
        eventVersion: "1.08",
        userIdentity: { type: "IAMUser", principalId: "AIDACKCEVSQ6C2EXAMPLE", arn: "arn:aws:iam::123456789012:user/kim", accountId: "123456789012", accessKeyId: "AKIAI44QH8DHBEXAMPLE", userName: "kim" },
        eventTime: "2026-03-02T05:06:07Z",
        eventSource: "iam.amazonaws.com",
        eventName: "CreateAccessKey",
        awsRegion: "us-east-1",
        sourceIPAddress: "192.0.2.0",
        userAgent: "aws-cli/2.15.0",
        requestParameters: { userName: "JaneDoe" },
        responseElements: { accessKey: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", status: "Active", userName: "JaneDoe", createDate: "Mar 2, 2026 5:06:07 AM" } },
        requestID: "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
        eventID: "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: "123456789012",
        eventCategory: "Management",
      },
    },
    overrides,
  );
}

/** An event the security alerts do not send: an instance started. */
export function instanceStateChange(): SampleEvent {
  return {
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: "123456789012",
    time: "2026-03-02T05:06:07Z",
    region: "ap-northeast-2",
    resources: ["arn:aws:ec2:ap-northeast-2:123456789012:instance/i-1234567890abcdef0"],
    detail: { "instance-id": "i-1234567890abcdef0", state: "running" },
  };
}
