"""The demo estate's SageMaker notebook instances and real-time endpoints, through the public
APIs: a notebook left InService that nobody uses, one stopped (its volume still bills), and
a two-instance endpoint in prod with its configuration and model."""

from __future__ import annotations

from tracker_tui.demo_estate.core import ROLE_ARN, RegionSeeder

MODEL_IMAGE = "763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-inference:2.1-cpu-py310"

#: Per environment: (notebook, instance type, stopped afterwards).
NOTEBOOKS: dict[str, list[tuple[str, str, bool]]] = {
    "prod": [("ds-exploration", "ml.t3.medium", False), ("ds-forecasting", "ml.t3.large", True)],
    "dev": [("intern-sandbox", "ml.t3.medium", False)],
}


def seed_region(s: RegionSeeder, env: str) -> int:
    """Seed one environment's notebook instances and endpoint; how many the scan will list."""
    return _notebooks(s, env) + _endpoints(s, env)


def _notebooks(s: RegionSeeder, env: str) -> int:
    sm = s.c("sagemaker")
    for name, itype, stopped in NOTEBOOKS.get(env, []):
        sm.create_notebook_instance(
            NotebookInstanceName=name,
            InstanceType=itype,
            RoleArn=ROLE_ARN.format(name="sagemaker-exec"),
            VolumeSizeInGB=20,
            Tags=s.tags(env=env, team="data"),
        )
        if stopped:
            sm.stop_notebook_instance(NotebookInstanceName=name)
    return len(NOTEBOOKS.get(env, []))


def _endpoints(s: RegionSeeder, env: str) -> int:
    if env != "prod":
        return 0
    sm = s.c("sagemaker")
    sm.create_model(
        ModelName="churn-predictor-v3",
        ExecutionRoleArn=ROLE_ARN.format(name="sagemaker-exec"),
        PrimaryContainer={"Image": MODEL_IMAGE.format(region=s.region)},
    )
    sm.create_endpoint_config(
        EndpointConfigName="churn-predictor-v3-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "churn-predictor-v3",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 2,
            }
        ],
    )
    sm.create_endpoint(
        EndpointName="churn-predictor",
        EndpointConfigName="churn-predictor-v3-config",
        Tags=s.tags(env=env, team="data"),
    )
    return 1
