"""Plain-Python inference: audio, speech recognition, LLM extraction, safety rules. No Django."""
