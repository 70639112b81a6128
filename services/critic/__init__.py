"""The SWEET-RL critic scorer: turn advantages with training-time information (critic.proto)."""
