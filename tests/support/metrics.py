"""CloudWatch datapoints seeded into moto for the idle checks, and instances to hang them on."""

from __future__ import annotations

from datetime import datetime, timedelta

import boto3

from tracker_tui.aws.idle import window

AMI = "ami-12c6146b"


def check_days(now: datetime, days: int = 14) -> list[datetime]:
    """The ``days`` whole days of the window an idle check at ``now`` reads, newest first."""
    start, end = window(now, days)
    return [end - timedelta(days=d) for d in range(1, days + 1)]


def put_metric(
    region: str,
    namespace: str,
    metric: str,
    dimension: str,
    value: str,
    pairs: list[tuple[float, float]],
    days: list[datetime],
) -> None:
    """One (morning, evening) pair of datapoints per day."""
    cw = boto3.client("cloudwatch", region_name=region)
    data = []
    for (low, high), day in zip(pairs, days, strict=False):
        for hour, number in ((6, low), (18, high)):
            data.append(
                {
                    "MetricName": metric,
                    "Dimensions": [{"Name": dimension, "Value": value}],
                    "Timestamp": day + timedelta(hours=hour),
                    "Value": number,
                }
            )
    cw.put_metric_data(Namespace=namespace, MetricData=data)


def put_cpu(
    region: str,
    instance_id: str,
    low: float,
    high: float,
    days: list[datetime],
    network: tuple[float, float] = (1e5, 2e5),
) -> None:
    """An instance's CPUUtilization: ``low`` each morning, ``high`` each evening; and its
    NetworkIn and NetworkOut (bytes, morning and evening: quiet by default, 0.6 MB a day)."""
    put_metric(region, "AWS/EC2", "CPUUtilization", "InstanceId", instance_id, [(low, high)] * len(days), days)
    for metric in ("NetworkIn", "NetworkOut"):
        put_metric(region, "AWS/EC2", metric, "InstanceId", instance_id, [network] * len(days), days)


def put_hourly(
    region: str, namespace: str, metric: str, instance_id: str, values: list[tuple[float, float]], end: datetime
) -> None:
    """Hourly datapoints back from ``end``: two an hour, (maximum, lower), newest hour first."""
    cw = boto3.client("cloudwatch", region_name=region)
    data = []
    for n, (top, low) in enumerate(values):
        hour = end - timedelta(hours=n + 1)
        for minute, number in ((10, top), (40, low)):
            data.append(
                {
                    "MetricName": metric,
                    "Dimensions": [{"Name": "InstanceId", "Value": instance_id}],
                    "Timestamp": hour + timedelta(minutes=minute),
                    "Value": number,
                }
            )
    for first in range(0, len(data), 1000):
        cw.put_metric_data(Namespace=namespace, MetricData=data[first : first + 1000])


def launch_instances(n: int, region: str = "us-east-1", itype: str = "m5.large") -> list[str]:
    ec2 = boto3.client("ec2", region_name=region)
    reply = ec2.run_instances(ImageId=AMI, MinCount=n, MaxCount=n, InstanceType=itype)
    return [i["InstanceId"] for i in reply["Instances"]]
