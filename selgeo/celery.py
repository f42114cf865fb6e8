"""The Celery application; tasks are discovered in each app's tasks.py.

It also holds the transport used for the `filesystem://` broker (see settings).
"""

import os
import uuid
from time import monotonic
from typing import Any

from celery import Celery
from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selgeo.settings")


class FilesystemChannel(filesystem.Channel):
    # kombu's filesystem channel and its base class name the message differently: this
    # keeps the filesystem channel's signature.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # kombu creates the message file under its final name and then writes it, so a
        # consumer polling at that moment can take an empty file (and its worker stops on
        # the unreadable message). Written under a name consumers skip, then renamed into
        # the queue, a message appears whole.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        try:
            with open(f"{path}.part", "wb") as file:
                file.write(dumps(payload).encode())
            os.replace(f"{path}.part", path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class FilesystemTransport(filesystem.Transport):
    Channel = FilesystemChannel


app = Celery("selgeo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
