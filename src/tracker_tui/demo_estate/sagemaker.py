"""The demo estate's SageMaker notebook instances and real-time endpoints, through the public
APIs: a notebook left InService that nobody uses, one stopped (its volume still bills), and in
prod a two-instance endpoint with its configuration and model, and the endpoint of the model
it replaced, which nothing invokes any more (``idle-sagemaker-endpoint`` with the checks)."""

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


#: Prod's endpoint that nothing invokes since churn-predictor moved to v3 (the idle checks'
#: datapoints name it).
IDLE_ENDPOINT = "churn-predictor-v2"

#: Per endpoint in prod: (endpoint, model, instance type, instances).
ENDPOINTS: list[tuple[str, str, str, int]] = [
    ("churn-predictor", "churn-predictor-v3", "ml.m5.large", 2),
    (IDLE_ENDPOINT, "churn-predictor-v2", "ml.c5.large", 1),
]


def _endpoints(s: RegionSeeder, env: str) -> int:
    if env != "prod":
        return 0
    sm = s.c("sagemaker")
    for endpoint, model, itype, count in ENDPOINTS:
        sm.create_model(
            ModelName=model,
            ExecutionRoleArn=ROLE_ARN.format(name="sagemaker-exec"),
            PrimaryContainer={"Image": MODEL_IMAGE.format(region=s.region)},
        )
        sm.create_endpoint_config(
            EndpointConfigName=f"{model}-config",
            ProductionVariants=[
                {"VariantName": "AllTraffic", "ModelName": model, "InstanceType": itype, "InitialInstanceCount": count}
            ],
        )
        sm.create_endpoint(
            EndpointName=endpoint, EndpointConfigName=f"{model}-config", Tags=s.tags(env=env, team="data")
        )
    return len(ENDPOINTS)
