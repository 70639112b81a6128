"""Isolation levels: refusing to run with less isolation than configured, uid claims."""

from __future__ import annotations

import pytest

from sweetrl.errors import Unavailable
from sweetrl.sandbox import cgroups, isolation
from sweetrl.sandbox.config import SandboxConfig
from sweetrl.sandbox.pool import SandboxPool


@pytest.fixture
def no_bwrap(monkeypatch):
    monkeypatch.setattr(isolation, "bwrap_path", lambda: None)
    isolation._bwrap_works.cache_clear()
    yield
    isolation._bwrap_works.cache_clear()


def test_strict_refuses_without_bubblewrap_and_names_the_weaker_level(no_bwrap):
    with pytest.raises(isolation.IsolationUnavailable) as err:
        isolation.check_available("strict", seccomp=True)
    message = str(err.value)
    assert "bubblewrap is not installed" in message
    assert "isolation=process" in message  # the operator's explicit way out


def test_unknown_level_is_refused():
    with pytest.raises(isolation.IsolationUnavailable, match="unknown isolation level 'loose'"):
        isolation.check_available("loose", seccomp=False)


async def test_pool_and_service_refuse_to_start_without_strict_isolation(no_bwrap):
    from services.sandbox.app import build
    from services.sandbox.config import SandboxServiceConfig
    from sweetrl.runtime import ServerConfig

    pool = SandboxPool(SandboxConfig(slots=1))
    with pytest.raises(isolation.IsolationUnavailable):
        await pool.start()
    assert not pool.started
    server, _ = build(SandboxServiceConfig(server=ServerConfig(port=0, metrics_port=-1, drain_delay_s=0),
                                           engine=SandboxConfig(slots=1)))
    with pytest.raises(isolation.IsolationUnavailable):
        await server.start()
    assert not server.started


@pytest.mark.skipif(not isolation.is_root(), reason="cgroups and uid claims need root")
async def test_cgroups_require_refuses_when_cgroups_are_unusable(monkeypatch):
    monkeypatch.setattr(cgroups, "create", lambda *a, **k: None)
    pool = SandboxPool(SandboxConfig(slots=1, cgroups="require", isolation="process"))
    with pytest.raises(Unavailable, match="cgroups=require"):
        await pool.start()
    assert not pool.started
    assert pool._claims == []  # the uid it claimed was given back


@pytest.mark.skipif(not isolation.is_root(), reason="uid claims are made as root")
def test_uid_claims_are_exclusive_until_released():
    a = isolation.claim_uid(300_000)
    b = isolation.claim_uid(300_000)
    try:
        assert a.uid != b.uid and min(a.uid, b.uid) >= 300_000
        freed = a.uid
        a.release()
        c = isolation.claim_uid(300_000)
        assert c.uid == freed
        c.release()
    finally:
        a.release()
        b.release()
