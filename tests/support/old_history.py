"""A history as the app wrote it before blob stores (schema 9): the revisions up to 0009 run on
an empty database, then runs, their images and their originals written as that app's store
wrote them, the originals' bytes in image_blobs.data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from alembic import command
from sqlalchemy import insert, inspect

from tests.support.images import make_photo
from vision.history.config import ConnectionSettings, database_url
from vision.history.database import Database
from vision.history.migrate import alembic_config
from vision.history.rows import new_id
from vision.history.schema import image_values, run_values, timestamp
from vision.history.tables import batches, image_blobs, run_images, runs
from vision.values.run import Run, RunImage, utc_now

BEFORE_BLOB_STORES = "0009"


@dataclass(frozen=True, slots=True)
class OldOriginal:
    """An original the old history kept, and the run that sent it."""

    workspace: str
    sha256: str
    data: bytes
    run_id: int


def photos(count: int) -> list[bytes]:
    """`count` different JPEGs of about 30 kB each."""
    return [make_photo((320 + index, 240)) for index in range(count)]


def write_old_history(url: str, per_workspace: dict[str, list[bytes]]) -> list[OldOriginal]:
    """A schema-9 database holding, for each workspace, one batch run per photo with the photo's
    bytes kept in its row; returns what it kept."""
    database = Database(database_url(url), ConnectionSettings())
    kept: list[OldOriginal] = []
    try:
        with database.writing() as connection:
            command.upgrade(alembic_config(connection), BEFORE_BLOB_STORES)
        with database.writing() as db:
            # The runs and run_images columns of that schema: later revisions add columns the
            # old app lacked.
            columns = {column["name"] for column in inspect(db).get_columns("runs")}
            image_columns = {column["name"] for column in inspect(db).get_columns("run_images")}
            for workspace, images in per_workspace.items():
                db.execute(
                    insert(batches).values(
                        workspace=workspace, id="old-batch", created_at=timestamp(utc_now())
                    )
                )
                for index, data in enumerate(images):
                    sha = hashlib.sha256(data).hexdigest()
                    run = Run(
                        kind="batch_item",
                        batch_id="old-batch",
                        item_index=index,
                        item_name=f"photo-{index}.jpg",
                        prompt="What is in this photo?",
                        model="qwen",
                        answer=f"Photo {index}.",
                        images=(
                            RunImage(
                                sha256=f"sent-{sha[:16]}",
                                source_sha256=sha,
                                mime="image/jpeg",
                                name=f"photo-{index}.jpg",
                            ),
                        ),
                    )
                    run_id = new_id(
                        db.execute(
                            insert(runs).values(
                                {k: v for k, v in run_values(run).items() if k in columns}
                                | {"workspace": workspace}
                            )
                        )
                    )
                    image = image_values(run_id, run.images[0])
                    db.execute(
                        insert(run_images).values(
                            {k: v for k, v in image.items() if k in image_columns}
                        )
                    )
                    db.execute(
                        insert(image_blobs).values(
                            workspace=workspace,
                            sha256=sha,
                            mime=None,
                            size=len(data),
                            data=data,
                            created_at=timestamp(utc_now()),
                        )
                    )
                    kept.append(OldOriginal(workspace, sha, data, run_id))
    finally:
        database.close()
    return kept
