import logging
import os

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service import db as db_service
from odoo.tools import SQL, config

from ..lib import backup as backup_lib

_logger = logging.getLogger(__name__)

#: first key of the advisory locks taken while a target is backed up (the second is its id)
BACKUP_LOCK = 0x0C8D55B4


class CrmDssBackupTarget(models.Model):
    """A directory of the server that receives compressed backups of the database
    (``odoo.service.db.dump_db``: the SQL dump and the filestore in one zip), with its
    retention and, if asked, a restore check of each new backup into a scratch database.

    A backup is refused before anything is written when the directory is missing, not
    writable or short of space; it is written under a temporary name and renamed when
    complete. Two backups of one target never run at the same moment (advisory lock).
    """

    _name = "crm.dss.backup.target"
    _inherit = ["crm.system.fields.mixin"]
    _description = "Backup Target"
    _order = "name"
    _crm_system_fields = ("last_backup_date", "last_backup_state")

    name = fields.Char(required=True)
    directory = fields.Char(required=True, help="Absolute path of a directory on the server, writable by Odoo.")
    keep_count = fields.Integer(
        string="Keep Newest", default=7, help="How many backups are kept (the newest); 0: no limit by number."
    )
    keep_days = fields.Integer(help="Backups older than this are deleted; 0: no limit by age.")
    active = fields.Boolean(default=True)
    restore_check = fields.Boolean(
        help="After each backup, restore it into a scratch database, verify it and drop that database."
    )
    backup_ids = fields.One2many("crm.dss.backup", "target_id", readonly=True)
    last_backup_date = fields.Datetime(readonly=True)
    last_backup_state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("restore_ok", "Restore Checked"),
            ("restore_failed", "Restore Failed"),
        ],
        readonly=True,
    )

    @api.constrains("keep_count", "keep_days", "directory")
    def _check_retention(self):
        for target in self:
            if target.keep_count < 0 or target.keep_days < 0:
                raise ValidationError(
                    self.env._("The retention of %s cannot be negative: enter 0 or more.", target.name)
                )
            if not os.path.isabs(target.directory or ""):
                raise ValidationError(
                    self.env._(
                        "The directory of %s must be an absolute path on the server, like /var/backups/odoo.",
                        target.name,
                    )
                )

    def _check_administrator(self):
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may back up the database."))

    def action_backup(self):
        """Back up the database into this target now (the button): a target that cannot
        take it is refused with the reason, nothing written."""
        self.ensure_one()
        self._check_administrator()
        self.check_access("write")
        error = self._preflight_error()
        if error:
            raise UserError(error)
        backup = self._run_backup(raise_busy=True)
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.dss.backup",
            "res_id": backup.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _cron_backup(self):
        # sudo: the daily cron backs up every active target (private method, not callable over RPC)
        for target in self.sudo().search([]):
            try:
                target._run_backup()
            except Exception:  # one target's failure must not stop the others
                _logger.exception("Backup of target %s failed", target.name)

    def _preflight_error(self):
        """Why this target cannot take a backup now, as a sentence for the user, or ``None``."""
        self.ensure_one()
        if not config["list_db"]:
            return self.env._(
                "Database management is disabled on this server (list_db = False): enable it in the "
                "configuration file to make or check backups."
            )
        problem = backup_lib.directory_error(self.directory)
        if problem == "relative":
            return self.env._("The directory %s is not an absolute path: enter the full path.", self.directory)
        if problem == "missing":
            return self.env._(
                "The directory %s does not exist on the server: create it or correct the path.", self.directory
            )
        if problem == "not_writable":
            return self.env._("The server cannot write into %s: give the Odoo user write access to it.", self.directory)
        needed = self._space_needed()
        free = backup_lib.free_space(self.directory)
        if free < needed:
            return self.env._(
                "Not enough free space in %(directory)s: a backup needs up to %(needed)s MB, %(free)s MB are free. "
                "Free some space, lower the retention or choose another directory.",
                directory=self.directory,
                needed=needed // (1024 * 1024),
                free=free // (1024 * 1024),
            )
        return None

    def _space_needed(self):
        self.env.cr.execute(SQL("SELECT pg_database_size(current_database())"))
        database = self.env.cr.fetchone()[0]
        filestore = backup_lib.directory_size(config.filestore(self.env.cr.dbname))
        return backup_lib.space_needed(database, filestore)

    def _lock(self):
        """Take this target's backup lock for the transaction; False when another holds it."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", BACKUP_LOCK, self.id))
        return self.env.cr.fetchone()[0]

    def _run_backup(self, raise_busy=False):
        """Write one backup of this target and record it; a failure is recorded on the backup
        (state failed, the reason) and leaves no file behind. Returns the backup record."""
        self.ensure_one()
        Backup = self.env["crm.dss.backup"].sudo()  # sudo: backup records are written by the system only
        now = fields.Datetime.now()
        db_name = self.env.cr.dbname
        name = backup_lib.file_name(db_name, self.id, now)
        if not self._lock():
            message = self.env._("A backup of %s is already running: wait until it ends.", self.name)
            if raise_busy:
                raise UserError(message)
            return Backup.create(
                {
                    "target_id": self.id,
                    "name": name,
                    "state": "failed",
                    "error": message,
                    "started": now,
                    "finished": now,
                }
            )
        backup = Backup.create({"target_id": self.id, "name": name, "state": "running", "started": now})
        error = self._preflight_error()
        if not error:
            error = self._dump(db_name, name)
        path = os.path.join(self.directory, name)
        backup.write(
            {
                "state": "failed" if error else "done",
                "error": error or False,
                "finished": fields.Datetime.now(),
                "file_size": 0 if error else os.path.getsize(path),
            }
        )
        self.sudo().write({"last_backup_date": now, "last_backup_state": backup.state})
        if not error:
            self._apply_retention()
            if self.restore_check:
                backup._restore_check()
                self.sudo().last_backup_state = backup.state
        return backup

    def _dump(self, db_name, name):
        """Dump the database into ``name`` of the directory: written under a temporary name,
        renamed when complete. Returns the reason of a failure (the temporary file removed)
        or ``None``."""
        final = os.path.join(self.directory, name)
        temp = os.path.join(self.directory, backup_lib.temp_name(name))
        try:
            with open(temp, "wb") as stream:
                db_service.dump_db(db_name, stream, "zip")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, final)
        except Exception as error:  # recorded on the backup, which says failed
            _logger.exception("Backup of %s into %s failed", db_name, final)
            if os.path.exists(temp):
                os.unlink(temp)
            return self.env._("The backup could not be written: %s", str(error) or type(error).__name__)
        return None

    def _apply_retention(self):
        """Delete the backups of this target beyond its retention: the files this target made
        (never another file of the directory) and their records."""
        db_name = self.env.cr.dbname
        for target in self:
            kept = target.backup_ids.filtered(lambda b: b.state in ("done", "restore_ok", "restore_failed"))
            expired_ids = backup_lib.select_expired(
                [(backup.id, backup.started) for backup in kept],
                keep_count=target.keep_count,
                keep_days=target.keep_days,
                now=fields.Datetime.now(),
            )
            expired = self.env["crm.dss.backup"].browse(expired_ids)
            for backup in expired:
                path = os.path.join(target.directory, backup.name)
                if backup_lib.is_own_file(backup.name, db_name, target.id) and os.path.isfile(path):
                    os.unlink(path)
            expired.sudo().unlink()  # sudo: backup records are deleted by the system only
