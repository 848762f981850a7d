"""The model list from /models, cached per session and backend, with a documented fallback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from ui.answers import short_name
from vision import ModelInfo, VisionError
from vision.client import VisionClient
from vision.profiles import profile_for

# The two models the provider's vision page documents (shared/seed/io-intelligence-vision-docs.txt).
DOCUMENTED_MODELS = ("meta-llama/Llama-3.2-90B-Vision-Instruct", "Qwen/Qwen2-VL-7B-Instruct")
CATALOG_KEY = "_catalog"
MODELS_KEY = "models"


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalog:
    """The models a backend serves, image-capable first, or the fallback and why."""

    backend: str
    models: tuple[ModelInfo, ...]
    problem: str | None = None

    @property
    def ids(self) -> list[str]:
        """The model ids in display order."""
        return [model.id for model in self.models]

    def info(self, model: str) -> ModelInfo:
        """What the server told us about a model (an empty record for unknown ids)."""
        return next((info for info in self.models if info.id == model), ModelInfo(id=model))


def sees_images(info: ModelInfo) -> bool:
    """Whether a model takes images: the server's word, else a guess from its profile."""
    if info.supports_images is not None:
        return info.supports_images
    return profile_for(info.id).accepts_images


def _ordered(models: Sequence[ModelInfo]) -> tuple[ModelInfo, ...]:
    """Image-capable models first, otherwise in the server's order."""
    return tuple(sorted(models, key=lambda info: not sees_images(info)))


def _fallback(problem: str, backend: str) -> Catalog:
    documented = tuple(ModelInfo(id=model, supports_images=True) for model in DOCUMENTED_MODELS)
    return Catalog(backend=backend, models=documented, problem=problem)


def load_catalog(client: VisionClient, backend: str) -> Catalog:
    """The served models, or the two documented ones with the reason /models could not be read."""
    try:
        models = client.list_models()
    except VisionError as err:
        return _fallback(f"Could not read the model list: {err}", backend)
    if not models:
        return _fallback("The server listed no models.", backend)
    return Catalog(backend=backend, models=_ordered(models))


def catalog_for(client: VisionClient, backend: str) -> Catalog:
    """The session's model list for this backend, read once until refreshed."""
    catalog: Catalog | None = st.session_state.get(CATALOG_KEY)
    if catalog is None or catalog.backend != backend:
        with st.spinner("Reading the model list…"):
            catalog = load_catalog(client, backend)
        st.session_state[CATALOG_KEY] = catalog
    return catalog


def forget_catalog() -> None:
    """Make the next run read /models again (the refresh button's callback)."""
    st.session_state.pop(CATALOG_KEY, None)


def default_selection(catalog: Catalog) -> list[str]:
    """The documented models where served; else the first model that takes images."""
    served = [model for model in DOCUMENTED_MODELS if model in catalog.ids]
    if served:
        return served
    return [info.id for info in catalog.models if sees_images(info)][:1]


def model_label(catalog: Catalog, model: str) -> str:
    """A model's short name, marked when it cannot read images."""
    name = short_name(model)
    return name if sees_images(catalog.info(model)) else f"{name} · text only"


def pick_models(
    catalog: Catalog,
    *,
    key: str = MODELS_KEY,
    label: str = "Models",
    disabled: bool = False,
    help_text: str | None = None,
) -> list[str]:
    """The models multiselect (the Playground's key is "models"); text-only models are marked."""
    ids = catalog.ids
    default: list[str] | None = None
    if key in st.session_state:
        # Keep the user's choice across refreshes, minus models the server no longer lists.
        chosen = [model for model in st.session_state[key] if model in ids]
        if chosen != st.session_state[key]:
            st.session_state[key] = chosen
    else:
        default = default_selection(catalog)
    chosen_models: list[str] = st.multiselect(
        label,
        ids,
        key=key,
        format_func=lambda model: model_label(catalog, model),
        placeholder="Choose one or more models",
        help=help_text,
        default=default,
        disabled=disabled,
    )
    return chosen_models
