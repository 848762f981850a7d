"""What an exchange asks, put together from the page: a Send's requests with the images each
model receives, and a follow-up's with the images pasted into it."""

from __future__ import annotations

from collections.abc import Sequence

from vision.chat.conversation import Conversation, Question, SentImage
from vision.chat.plan import sent_image
from vision.chat.preparation import ImageStatus
from vision.values.request import ChatRequest


def sent_question(
    requests: Sequence[ChatRequest],
    statuses: Sequence[ImageStatus],
    *,
    sent: Sequence[Sequence[SentImage]] | None = None,
    labels: Sequence[str] | None = None,
    attached: Sequence[Sequence[SentImage]] | None = None,
) -> Question:
    """A Send's question: each request with every image as prepared for its model, unless
    `sent` gives each request's own (a stitched grid, one request per image); `attached` is
    what the person attached where it differs from what was sent."""
    images = (
        sent
        if sent is not None
        else [
            [image for status in statuses if (image := sent_image(status, request.model))]
            for request in requests
        ]
    )
    return Question(
        requests=tuple(requests),
        images=tuple(tuple(per_model) for per_model in images),
        image_names=tuple(status.entry.label for status in statuses),
        labels=tuple(labels) if labels is not None else None,
        attached=tuple(tuple(per_model) for per_model in attached) if attached else None,
    )


def follow_up_question(
    conversation: Conversation,
    requests: Sequence[ChatRequest],
    images: Sequence[Sequence[SentImage]],
    image_names: Sequence[str],
) -> Question:
    """A follow-up's question: each model's request with the images pasted for it, named as
    they were pasted, in the conversation's columns."""
    # A turn carries its conversation's earlier images too: reopened, it comes back whole.
    attached = [
        [*(i for exchange in conversation.exchanges for i in exchange.attached_for(index)), *new]
        for index, new in enumerate(images)
    ]
    return Question(
        requests=tuple(requests),
        images=tuple(tuple(per_model) for per_model in images),
        image_names=tuple(image_names),
        labels=conversation.exchanges[0].labels,
        attached=tuple(tuple(per_model) for per_model in attached),
    )
