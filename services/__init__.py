"""Deployable gRPC services, one package each (servicer, service logic, config, app).

``IMPLEMENTED`` maps each service name to its app module; ``sweet serve NAME`` and
``sweet serve all`` start them. The other APIs (policy, simulator, renderer, critic)
are defined in ``protos/`` and implemented by later work.
"""

IMPLEMENTED: dict[str, str] = {
    "sandbox": "services.sandbox.app",
}
PLANNED: tuple[str, ...] = ("policy", "simulator", "renderer", "critic")
