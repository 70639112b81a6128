"""Generated gRPC stubs. Do not edit: run scripts/gen_protos.py."""
