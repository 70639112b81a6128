"""The policy model server: samples agent turns and scores continuations (policy.proto)."""
