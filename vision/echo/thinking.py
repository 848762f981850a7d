"""What the echo's reasoning model thinks before it answers: a labelled stand-in for a model's
reasoning, longer at a higher effort, that says what it looked at."""

from __future__ import annotations

from vision.echo.contract import ChatCall

REASONING_LABEL = "[echo reasoning — no model thought]"
# Steps of deliberation per effort; a reasoning model thinks at its default (medium) when the
# request names no effort, and not at all at "none".
STEPS = {"none": 0, "low": 2, "medium": 6, "high": 16}
DEFAULT_EFFORT = "medium"


def compose_reasoning(call: ChatCall) -> str:
    """The reasoning text a reasoning model sends before its answer ('' for other models)."""
    if not call.model.reasons:
        return ""
    effort = call.reasoning_effort or DEFAULT_EFFORT
    steps = STEPS[effort]
    if not steps:
        return ""
    lines = [f"{REASONING_LABEL} Deliberating at {effort} effort before answering."]
    for step in range(1, steps + 1):
        if call.images:
            image = call.images[(step - 1) % len(call.images)]
            lines.append(f"Step {step}: look again at image {image.index}.")
        else:
            lines.append(f"Step {step}: read the prompt again.")
    return "\n".join(lines) + "\n"
