"""Copy as code: a curl or Python snippet that reproduces one request, with its image files."""

from __future__ import annotations

import base64
import binascii
import json
import re
import shlex
import uuid
from dataclasses import dataclass, field
from typing import Any

from vision.api.payload import build_payload
from vision.settings_variables import API_KEY_VARIABLE
from vision.values.request import ChatRequest

API_KEY_ENV = API_KEY_VARIABLE  # the variable the generated code reads the key from
EXTENSION_BY_MIME = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
}
_SAFE_MIME = re.compile(r"[\w.+-]+/[\w.+-]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeExport:
    """A snippet that reproduces a request, and the image files it reads (name, bytes)."""

    code: str
    files: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class _ImageFile:
    name: str
    mime: str
    data: bytes = field(repr=False)
    marker: str


def _image_files(body: dict[str, Any]) -> dict[str, _ImageFile]:
    """Data URLs of the body mapped to the files that will hold their bytes."""
    files: dict[str, _ImageFile] = {}
    for message in body["messages"]:
        content = message["content"]
        if not isinstance(content, list):
            continue
        for part in content:
            url = part.get("image_url", {}).get("url", "") if part["type"] == "image_url" else ""
            if not url.startswith("data:") or url in files:
                continue
            header, _, encoded = url.partition(",")
            mime = header[5:].split(";")[0]
            if not _SAFE_MIME.fullmatch(mime):
                continue
            try:
                data = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                continue
            number = len(files) + 1
            name = f"image-{number}.{EXTENSION_BY_MIME.get(mime, 'bin')}"
            files[url] = _ImageFile(
                name=name,
                mime=mime,
                data=data,
                marker=f"__image_{number}_{uuid.uuid4().hex}__",
            )
    return files


def _with_markers(value: Any, files: dict[str, _ImageFile]) -> Any:
    if isinstance(value, dict):
        return {key: _with_markers(item, files) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_markers(item, files) for item in value]
    if isinstance(value, str) and value in files:
        return files[value].marker
    return value


def _endpoint(base_url: str) -> str:
    return base_url.rstrip("/") + "/chat/completions"


def _shell_variable(image: _ImageFile) -> str:
    return image.name.split(".")[0].upper().replace("-", "_")


def as_curl(request: ChatRequest, base_url: str) -> CodeExport:
    """A POSIX shell + curl snippet sending exactly this request, the key read from the env."""
    body = build_payload(request)
    files = _image_files(body)
    text = json.dumps(_with_markers(body, files), indent=2, ensure_ascii=False)
    # printf is a shell builtin, so a large body never hits the kernel's argument-size limit.
    quoted = shlex.quote(text)
    lines = [f"# Reproduces one Vision Playground request. Set {API_KEY_ENV} first."]
    if files:
        names = ", ".join(image.name for image in files.values())
        lines.append(f"# Run it in the folder that holds {names}.")
    for image in files.values():
        variable = _shell_variable(image)
        lines.append(f"{variable}=\"$(base64 < {image.name} | tr -d '\\n')\"")
        data_url = json.dumps(f"data:{image.mime};base64,")[1:-1]
        quoted = quoted.replace(image.marker, f"{data_url}'\"${variable}\"'")
    lines += [
        f"printf '%s' {quoted} |",
        f"  curl -sS {shlex.quote(_endpoint(base_url))} \\",
        f'    -H "Authorization: Bearer ${API_KEY_ENV}" \\',
        "    -H 'Content-Type: application/json' \\",
        "    --data-binary @-",
        "",
    ]
    return CodeExport(code="\n".join(lines), files=_files(files))


def _python_literal(value: Any, files: dict[str, _ImageFile], indent: int = 0) -> str:
    pad = "    " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{pad}{key!r}: {_python_literal(v, files, indent + 1)}," for key, v in value.items()
        ]
        return "{\n" + "\n".join(items) + "\n" + "    " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}{_python_literal(item, files, indent + 1)}," for item in value]
        return "[\n" + "\n".join(items) + "\n" + "    " * indent + "]"
    if isinstance(value, str) and value in files:
        image = files[value]
        return f"data_url({image.name!r}, {image.mime!r})"
    return repr(value)


_PYTHON_DATA_URL = '''

def data_url(path: str, mime: str) -> str:
    """An image file as the base64 data URL the API expects."""
    encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:{mime};base64,{encoded}"

'''


def as_python(request: ChatRequest, base_url: str) -> CodeExport:
    """A Python `requests` snippet sending exactly this request, the key read from the env."""
    body = build_payload(request)
    files = _image_files(body)
    imports = ["import base64", "import os", "from pathlib import Path"] if files else ["import os"]
    header = f'"""Reproduces one Vision Playground request. Set {API_KEY_ENV} first.'
    if files:
        header += "\n\nRun it in the folder that holds " + ", ".join(f.name for f in files.values())
        header += "."
    code = "\n".join(
        [
            header + '"""',
            "",
            *imports,
            "",
            "import requests",
            "",
            f"URL = {_endpoint(base_url)!r}",
            _PYTHON_DATA_URL if files else "",
            f"payload = {_python_literal(body, files)}",
            "",
            "response = requests.post(",
            "    URL,",
            f'    headers={{"Authorization": "Bearer " + os.environ["{API_KEY_ENV}"]}},',
            "    json=payload,",
            "    timeout=120,",
            ")",
            "response.raise_for_status()",
            *_printing(request),
            "",
        ]
    )
    return CodeExport(code=code, files=_files(files))


def _printing(request: ChatRequest) -> list[str]:
    """The snippet's last lines: the answer, and a reasoning model's thinking apart from it."""
    if request.reasoning_effort is None:
        return ['print(response.json()["choices"][0]["message"]["content"])']
    return [
        'message = response.json()["choices"][0]["message"]',
        'print("reasoning:", message.get("reasoning_content"))',
        'print("answer:", message["content"])',
    ]


def _files(files: dict[str, _ImageFile]) -> tuple[tuple[str, bytes], ...]:
    return tuple((image.name, image.data) for image in files.values())
