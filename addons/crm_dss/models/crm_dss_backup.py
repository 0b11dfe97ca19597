import json
import logging
import os
import secrets
import shutil
import zipfile
from contextlib import closing

import odoo
from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.service import db as db_service
from odoo.tools import SQL, config

_logger = logging.getLogger(__name__)


class CrmDssBackup(models.Model):
    """One backup of a target: its file, size, state and, once checked, whether it restores.

    Every field is set by the system; administrators read the records, nobody writes them.
    """

    _name = "crm.dss.backup"
    _inherit = ["crm.system.fields.mixin"]
    _description = "Database Backup"
    _order = "started desc, id desc"
    _crm_system_fields = (
        "target_id",
        "name",
        "file_size",
        "state",
        "error",
        "started",
        "finished",
        "checked_on",
        "restore_detail",
    )

    target_id = fields.Many2one("crm.dss.backup.target", required=True, readonly=True, ondelete="cascade", index=True)
    name = fields.Char(string="File Name", required=True, readonly=True)
    file_size = fields.Float(string="Size (bytes)", readonly=True, digits=(16, 0))
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("restore_ok", "Restore Checked"),
            ("restore_failed", "Restore Failed"),
        ],
        required=True,
        default="running",
        readonly=True,
    )
    error = fields.Text(readonly=True)
    started = fields.Datetime(readonly=True)
    finished = fields.Datetime(readonly=True)
    checked_on = fields.Datetime(readonly=True)
    restore_detail = fields.Text(readonly=True)

    def _path(self):
        return os.path.join(self.target_id.directory, self.name)

    def action_restore_check(self):
        """Restore this backup into a scratch database, verify it and drop it (the button)."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators may check backups."))
        self.check_access("read")
        if self.state not in ("done", "restore_ok", "restore_failed"):
            raise UserError(self.env._("Only a completed backup can be restored: %s is not.", self.name))
        if not config["list_db"]:
            raise UserError(
                self.env._(
                    "Database management is disabled on this server (list_db = False): enable it in the "
                    "configuration file to check backups."
                )
            )
        self._restore_check()
        return True

    def _restore_check(self):
        """Restore the file into a scratch database (``odoo.service.db.restore_db``, neutralised:
        no mail, no cron), check that it holds the modules its manifest lists, crm_dss among
        them, then drop the scratch database whatever happened. Records the outcome."""
        self.ensure_one()
        scratch = f"{self.env.cr.dbname}_restore_check_{self.id}_{secrets.token_hex(4)}"
        path = self._path()
        error = detail = None
        try:
            with zipfile.ZipFile(path) as archive:
                expected = json.loads(archive.read("manifest.json"))["modules"]
            db_service.restore_db(scratch, path, copy=True, neutralize_database=True)
            with closing(odoo.sql_db.db_connect(scratch).cursor()) as cr:
                cr.execute(SQL("SELECT name FROM ir_module_module WHERE state = 'installed'"))
                installed = {name for (name,) in cr.fetchall()}
            if "crm_dss" not in installed:
                error = self.env._("The restored database does not have crm_dss installed.")
            elif installed != set(expected):
                error = self.env._(
                    "The restored database has %(found)s modules installed, its manifest lists %(expected)s.",
                    found=len(installed),
                    expected=len(expected),
                )
            else:
                detail = self.env._(
                    "Restored into %(db)s: %(count)s modules installed.", db=scratch, count=len(installed)
                )
        except Exception as exc:  # the outcome of the check, recorded on the backup
            _logger.exception("Restore check of %s failed", path)
            error = self.env._("The backup could not be restored: %s", str(exc) or type(exc).__name__)
        finally:
            drop_error = self._drop_scratch(scratch)
        if drop_error and not error:
            error = drop_error
        # sudo: the outcome is a system field of the backup
        self.sudo().write(
            {
                "state": "restore_failed" if error else "restore_ok",
                "checked_on": fields.Datetime.now(),
                "restore_detail": error or detail,
            }
        )
        return not error

    def _drop_scratch(self, scratch):
        """Drop the scratch database and its filestore if they exist (``exp_drop`` refuses a
        database the server does not list, which ``--database`` restricts); returns the
        reason of a failure or ``None``."""
        Registry.delete(scratch)
        odoo.sql_db.close_db(scratch)
        try:
            with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
                cr._cnx.autocommit = True
                cr.execute(
                    SQL(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        scratch,
                    )
                )
                cr.execute(SQL("DROP DATABASE IF EXISTS %s", db_service.database_identifier(cr, scratch)))
        except Exception as exc:  # reported on the backup
            _logger.exception("Could not drop the scratch database %s", scratch)
            return self.env._("The scratch database %(db)s could not be dropped: %(error)s", db=scratch, error=exc)
        shutil.rmtree(config.filestore(scratch), ignore_errors=True)
        return None
