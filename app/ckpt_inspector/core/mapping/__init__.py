"""When names do not match: propose, apply and export a checkpoint-key -> model-variable map."""
