"""The code-sandbox executor service: judges ColBench backend answers in isolation."""
