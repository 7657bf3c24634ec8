"""Package data: workflows shipped with Guanxi."""
