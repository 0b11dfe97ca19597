"""Backups of the operations centre, in plain Python: where a backup file may be written,
what it is called, which files the retention deletes.

A backup is written to a hidden temporary file of the target directory and renamed into
place when complete (``os.replace`` is atomic within one file system), so that the directory
never holds half a backup under a backup's name.
"""

import os
import re
import shutil
from datetime import timedelta

PREFIX = "odoo-backup"
SUFFIX = ".zip"
#: the share of the estimated size the directory must have free on top of the estimate
SPACE_MARGIN = 0.1


def file_name(db_name, target_id, when):
    """The name of a backup of ``db_name`` made for target ``target_id`` at ``when``."""
    return f"{PREFIX}_{db_name}_{target_id}_{when:%Y%m%d_%H%M%S}{SUFFIX}"


def temp_name(name):
    """The hidden name ``name`` is written under until it is complete."""
    return f".{name}.part"


def is_own_file(name, db_name, target_id):
    """Whether ``name`` is a backup file this target made for this database (the only files
    the retention may delete)."""
    pattern = rf"{re.escape(PREFIX)}_{re.escape(db_name)}_{int(target_id)}_\d{{8}}_\d{{6}}{re.escape(SUFFIX)}"
    return bool(re.fullmatch(pattern, name or ""))


def directory_error(path):
    """What prevents writing backups into ``path`` (``"relative"``, ``"missing"``,
    ``"not_writable"``), or ``None``."""
    if not path or not os.path.isabs(path):
        return "relative"
    if not os.path.isdir(path):
        return "missing"
    if not os.access(path, os.W_OK | os.X_OK):
        return "not_writable"
    return None


def directory_size(path):
    """The total size in bytes of the files under ``path`` (0 when it does not exist)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def space_needed(database_bytes, filestore_bytes):
    """The bytes a backup may take at most: the database and the filestore uncompressed,
    plus a margin (the zip is usually much smaller)."""
    return int((database_bytes + filestore_bytes) * (1 + SPACE_MARGIN))


def free_space(path):
    """The bytes free for the server's user in ``path``."""
    return shutil.disk_usage(path).free


def select_expired(backups, keep_count=0, keep_days=0, now=None):
    """The keys of ``backups`` (``(key, date)`` pairs) the retention deletes: those beyond the
    ``keep_count`` newest and those older than ``keep_days`` days (0: no limit of that kind).
    The newest backup is always kept, whatever the limits."""
    ordered = sorted(backups, key=lambda item: item[1], reverse=True)
    limit = now - timedelta(days=keep_days) if keep_days and now else None
    expired = []
    for index, (key, date) in enumerate(ordered):
        if index == 0:
            continue
        if (keep_count and index >= keep_count) or (limit and date < limit):
            expired.append(key)
    return expired
