"""What the rendered workloads promise: hardened pods, the sandbox's isolation
settings, GPU requests, gRPC health probes and NetworkPolicies; and that the
configuration the chart passes (config files, SWEET_* variables, ports, health
names) is what the services' own config classes and servicers accept."""

from __future__ import annotations

import importlib

import pytest
import yaml
from deploy_support import (RELEASE, SCENARIOS, component, env_of, load_values, objects,
                            pod_specs, render, render_scenario)

import services
from sweetrl.api.v1 import renderer_pb2

SWEET_HOME = "/var/lib/sweetrl"
GRPC_NAMES = {
    name: importlib.import_module(f"services.{name}.servicer").SERVICE_NAME
    for name in services.IMPLEMENTED
} | {"renderer": renderer_pb2.DESCRIPTOR.services_by_name["RendererService"].full_name}


def sweet_containers(docs):
    """(component, container, pod spec) of every `sweet serve` container."""
    for dep in objects(docs, "Deployment").values():
        spec = dep["spec"]["template"]["spec"]
        for container in spec["containers"]:
            yield component(dep), container, spec


def test_every_pod_is_hardened(docs):
    for name, spec in pod_specs(docs).items():
        assert spec["automountServiceAccountToken"] is False, name
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, name
        is_strict_sandbox = name.endswith("-sandbox") and spec.get("hostUsers") is False
        # the one documented exception: bwrap must create namespaces (values.yaml, sandbox)
        expected_seccomp = {"type": "Unconfined" if is_strict_sandbox else "RuntimeDefault"}
        assert pod["seccompProfile"] == expected_seccomp, name
        volume_at = {}
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["runAsNonRoot"] is True, name
            assert sc["capabilities"] == {"drop": ["ALL"]}, name
            assert sc["seccompProfile"] == expected_seccomp, name
            assert "privileged" not in sc, name
            volume_at.update({m["mountPath"]: m["name"] for m in container["volumeMounts"]})
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes[volume_at["/tmp"]], name


def test_sweet_home_is_a_writable_empty_dir(docs):
    for name, container, spec in sweet_containers(docs):
        assert env_of(container)["SWEET_HOME"] == SWEET_HOME
        mount = next(m for m in container["volumeMounts"] if m["mountPath"] == SWEET_HOME)
        volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
        assert "emptyDir" in volume, name


def test_service_account_mounts_no_token(docs):
    for account in objects(docs, "ServiceAccount").values():
        assert account["automountServiceAccountToken"] is False


def test_strict_sandbox_gets_its_own_user_namespace():
    sandbox = objects(render_scenario("default"), "Deployment")[f"{RELEASE}-sweetrl-sandbox"]
    spec = sandbox["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert spec["hostUsers"] is False and "runtimeClassName" not in spec
    assert container["securityContext"]["procMount"] == "Unmasked"
    assert container["securityContext"]["appArmorProfile"] == {"type": "Unconfined"}
    assert env_of(container)["SWEET_SANDBOX__ENGINE__ISOLATION"] == "strict"


def test_gvisor_sandbox_runs_process_isolation_under_runtime_default():
    sandbox = objects(render_scenario("everything"), "Deployment")[f"{RELEASE}-sweetrl-sandbox"]
    spec = sandbox["spec"]["template"]["spec"]
    container = spec["containers"][0]
    assert spec["runtimeClassName"] == "gvisor"
    assert "hostUsers" not in spec and "procMount" not in container["securityContext"]
    assert container["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert env_of(container)["SWEET_SANDBOX__ENGINE__ISOLATION"] == "process"


@pytest.mark.parametrize("scenario, gpus", [
    ("default", {}),
    ("gpu", {"policy": 1, "critic": 1, "simulator-model": 4}),
])
def test_gpu_requests(scenario, gpus):
    docs = render_scenario(scenario)
    found = {}
    for name, container, spec in sweet_containers(docs):
        limits = container["resources"].get("limits", {})
        assert "nvidia.com/gpu" not in container["resources"].get("requests", {})
        if "nvidia.com/gpu" in limits:
            found[name] = limits["nvidia.com/gpu"]
            assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} \
                in spec["tolerations"]
            assert any(v.get("emptyDir", {}).get("medium") == "Memory" for v in spec["volumes"])
    assert found == gpus
    for dep in objects(docs, "Deployment").values():
        if component(dep) in gpus:  # a surge pod would wait for GPUs that are not free
            assert dep["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}


def test_gpu_overlay_serves_with_vllm():
    configs = {k.removesuffix(".yaml"): yaml.safe_load(v) for k, v in
               objects(render_scenario("gpu"), "ConfigMap")[f"{RELEASE}-sweetrl-config"]["data"].items()}
    assert configs["policy"]["policy"]["backend"] == "vllm"
    assert configs["critic"]["critic"]["backend"] == "vllm"
    model = configs["simulator-model"]["policy"]
    assert model["backend"] == "vllm" and model["vllm"]["tensor_parallel_size"] == 4


def test_probes_ask_grpc_health_for_each_service(docs):
    tls = any("SWEET_POLICY__SERVER__TLS_CERT_FILE" in env_of(c) for _, c, _ in sweet_containers(docs))
    for name, container, _ in sweet_containers(docs):
        port = next(p["containerPort"] for p in container["ports"] if p["name"] == "grpc")
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container[kind]
            if tls:  # kubelet's gRPC probe speaks plaintext only
                assert probe["tcpSocket"] == {"port": "grpc"}
            else:
                grpc_name = GRPC_NAMES["policy" if name == "simulator-model" else name]
                assert probe["grpc"] == {"port": port, "service": grpc_name}


@pytest.mark.parametrize("name", ["policy", "critic", "simulator", "sandbox", "renderer"])
def test_chart_ports_are_the_services_defaults(name):
    config = importlib.import_module(f"services.{name}.config")
    values = load_values()[name]
    assert (values["port"], values["metricsPort"]) == (config.DEFAULT_PORT, config.DEFAULT_METRICS_PORT)


def test_rendered_config_is_accepted_by_the_services(docs, tmp_path, monkeypatch):
    """Each container's config file + SWEET_* variables load into its service config."""
    from sweetrl.config import load_config

    files = objects(docs, "ConfigMap")[f"{RELEASE}-sweetrl-config"]["data"]
    checked = 0
    for name, container, _ in sweet_containers(docs):
        section = container["args"][1]
        if section not in services.IMPLEMENTED:
            continue  # the renderer: no server yet
        module = importlib.import_module(services.IMPLEMENTED[section])
        path = tmp_path / f"{name}.yaml"
        path.write_text(files[f"{name}.yaml"])
        assert container["args"] == ["serve", section, "--config", f"/etc/sweetrl/{name}.yaml"]
        with monkeypatch.context() as env:
            for key, value in env_of(container).items():
                if key.startswith("SWEET_"):
                    env.setenv(key, value if isinstance(value, str) else "from-a-secret")
            cfg = load_config(module.CONFIG, section=module.SECTION, path=path)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert (cfg.server.host, cfg.server.port, cfg.server.metrics_port) == \
            ("0.0.0.0", ports["grpc"], ports["metrics"])
        if section == "sandbox":
            assert cfg.engine.isolation == env_of(container)["SWEET_SANDBOX__ENGINE__ISOLATION"]
        if section == "simulator":
            target = "simulator-model" if f"{RELEASE}-sweetrl-simulator-model" in \
                objects(docs, "Service") else "policy"
            service = objects(docs, "Service")[f"{RELEASE}-sweetrl-{target}"]
            grpc_port = next(p["port"] for p in service["spec"]["ports"] if p["name"] == "grpc")
            assert cfg.llm.policy_address == f"{RELEASE}-sweetrl-{target}:{grpc_port}"
        checked += 1
    assert checked >= 4


def test_services_select_their_pods_and_ports(docs):
    deployments = {component(d): d for d in objects(docs, "Deployment").values()}
    for svc in objects(docs, "Service").values():
        if component(svc) == "minio":
            continue
        pod = deployments[component(svc)]["spec"]["template"]
        assert svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
        names = {p["name"] for p in pod["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in svc["spec"]["ports"]} == names == {"grpc", "metrics"}


def test_autoscalers_and_budgets_target_deployments(docs):
    deployments = objects(docs, "Deployment")
    for hpa in objects(docs, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert "replicas" not in deployments[hpa["spec"]["scaleTargetRef"]["name"]]["spec"]
    for pdb in objects(docs, "PodDisruptionBudget").values():
        matched = [d for d in deployments.values() if pdb["spec"]["selector"]["matchLabels"].items()
                   <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matched) == 1


def test_network_policies(docs):
    policies = objects(docs, "NetworkPolicy")
    workloads = [d for d in docs if d["kind"] in ("Deployment", "StatefulSet")]
    assert workloads
    for workload in workloads:
        name, spec = workload["metadata"]["name"], workload["spec"]["template"]["spec"]
        labels = workload["spec"]["template"]["metadata"]["labels"]
        [policy] = [p for p in policies.values()
                    if p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()]
        rules = policy["spec"]["ingress"]
        release_peer = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "sweetrl",
                                                        "app.kubernetes.io/instance": RELEASE}}}
        assert release_peer in rules[0]["from"]
        kfp = [p for p in rules[0]["from"] if "namespaceSelector" in p]
        kfp_pods = {"matchLabels": {"pipelines.kubeflow.org/v2_component": "true"}}
        assert kfp and kfp[0]["podSelector"] == kfp_pods
        if name.endswith("-minio"):
            assert len(rules) == 1
            continue
        container = spec["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert rules[0]["ports"] == [{"port": ports["grpc"], "protocol": "TCP"}]
        # metrics: only Prometheus
        assert rules[1]["ports"] == [{"port": ports["metrics"], "protocol": "TCP"}]
        assert rules[1]["from"] == [load_values()["networkPolicy"]["prometheus"]]
        isolated = name.endswith(("-sandbox", "-renderer"))
        assert ("Egress" in policy["spec"]["policyTypes"]) is isolated, name
        if isolated:
            assert policy["spec"]["egress"] == [], name


def test_network_policies_can_be_turned_off():
    assert not objects(render("--set", "networkPolicy.enabled=false"), "NetworkPolicy")


def test_model_servers_read_checkpoints_from_the_release_store(docs, scenario):
    """policy and critic get SWEET_STORE (MinIO in the release, or the external
    endpoint) with keys from the S3 Secret; the sandbox and renderer get nothing."""
    overlays = [a for a in SCENARIOS[scenario] if a.endswith(".yaml")]
    values = load_values(*overlays)
    for name, container, _ in sweet_containers(docs):
        env = env_of(container)
        if name in ("policy", "critic"):
            store = env["SWEET_STORE"]
            if values["objectStore"]["mode"] == "minio":
                assert store.startswith("http://") and "-minio." in store and store.endswith(":9000")
            else:
                assert store == "https://" + values["objectStore"]["external"]["endpoint"]
            for key in ("SWEET_S3_ACCESS_KEY", "SWEET_S3_SECRET_KEY"):
                assert env[key]["secretKeyRef"]["name"].endswith("-s3") or env[key][
                    "secretKeyRef"]["name"] == values["objectStore"]["credentials"]["existingSecret"]
        elif name in ("sandbox", "renderer"):
            assert "SWEET_STORE" not in env and "SWEET_S3_SECRET_KEY" not in env


def test_renderer_is_opt_in_with_an_in_memory_dev_shm():
    """Off by default (only the frontend domain needs it); when on, Chromium gets an
    in-memory /dev/shm larger than the runtime's 64 MiB, and one browser page per CPU
    of the request (values.yaml, renderer)."""
    name = f"{RELEASE}-sweetrl-renderer"
    assert name not in objects(render_scenario("default"), "Deployment")
    docs = render_scenario("renderer")
    spec = objects(docs, "Deployment")[name]["spec"]["template"]["spec"]
    [container] = spec["containers"]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/dev/shm")
    volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
    assert volume["emptyDir"] == {"medium": "Memory",
                                  "sizeLimit": load_values()["renderer"]["sizes"]["shm"]}
    config = yaml.safe_load(objects(docs, "ConfigMap")[f"{RELEASE}-sweetrl-config"]
                            ["data"]["renderer.yaml"])["renderer"]
    assert config["browser"]["pages"] == int(container["resources"]["requests"]["cpu"])
