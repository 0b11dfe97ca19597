import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.crm_workflow.lib import domains

PREVIEW_SIZE = 10
SEGMENT_KINDS = [("dynamic", "Dynamic"), ("static", "Static List")]


class CrmSegment(models.Model):
    """A target list of partners for mailings and SMS.

    A *dynamic* segment is a condition on ``res.partner`` (a literal domain, never
    evaluated as code, see ``crm_workflow/lib/domains.py``), read again at each use: the
    class segments ("Best Customers", "At Risk", "Lost") are dynamic segments on the RFM
    class. A *static* segment is a list of partners kept in ``crm_segment_partner_rel``,
    filled by hand or by the prospect import; lists of 100,000 members are the expected
    size, so members are counted in SQL and added in one insert, never loaded as records.

    Members are always the partners the reader may see: the segment selects among them,
    it gives access to nobody. A segment without company is shared by the companies; its
    conditions on company-dependent fields (the customer classification) read the company
    the segment is used in.

    Marketers read every segment of their companies and edit those they own; the
    marketing managers edit and delete all (see ``security/crm_segment_security.xml``).
    """

    _name = "crm.segment"
    _description = "Target Segment"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the segment between the companies.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        index=True,
        default=lambda self: self.env.user,
        help="Marketers edit the segments they own; managers edit all.",
    )
    kind = fields.Selection(SEGMENT_KINDS, string="Type", required=True, default="dynamic")
    domain = fields.Char(
        string="Conditions",
        default="[]",
        help="The partners a dynamic segment selects, as a domain on contacts.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "crm_segment_partner_rel",
        "segment_id",
        "partner_id",
        string="Members",
        help="The members of a static list.",
    )
    member_count = fields.Integer(string="Members Count", compute="_compute_member_count")
    preview_partner_ids = fields.Many2many(
        "res.partner", string="Preview", compute="_compute_preview", help="The first members of the segment."
    )
    domain_error = fields.Char(compute="_compute_preview")
    description = fields.Text()

    @api.depends("kind", "domain", "company_id")
    def _compute_member_count(self):
        static = self.filtered(lambda segment: segment.kind == "static" and segment._origin.id)
        counts = dict(
            self.env["res.partner"]._read_group(
                [("crm_segment_ids", "in", static._origin.ids)], ["crm_segment_ids"], ["__count"]
            )
        )
        for segment in self:
            if segment in static:
                segment.member_count = counts.get(segment._origin, 0)
            elif segment.kind == "dynamic":
                try:
                    if not segment.id:
                        # conditions being edited are not checked yet (saved ones are)
                        segment._crm_segment_check_domain(segment.domain)
                    domain = segment._crm_segment_partner_domain()
                except ValidationError:
                    domain = None
                # one count per dynamic segment: each has a condition of its own
                segment.member_count = segment._crm_segment_partner_model().search_count(domain) if domain else 0
            else:
                segment.member_count = 0

    @api.depends("kind", "domain", "company_id")
    def _compute_preview(self):
        for segment in self:
            segment.domain_error = False
            segment.preview_partner_ids = False
            if segment.kind == "static" and not segment._origin.id:
                continue
            try:
                if segment.kind == "dynamic":
                    segment._crm_segment_check_domain(segment.domain)
                domain = segment._crm_segment_partner_domain()
            except ValidationError as error:
                segment.domain_error = error.args[0]
                continue
            segment.preview_partner_ids = segment._crm_segment_partner_model().search(domain, limit=PREVIEW_SIZE)

    @api.constrains("kind", "domain")
    def _check_domain(self):
        for segment in self.filtered(lambda s: s.kind == "dynamic"):
            segment._crm_segment_check_domain(segment.domain)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "domain" in vals:
                vals["domain"] = self._crm_segment_normalise(vals["domain"])
        return super().create(vals_list)

    def write(self, vals):
        if "domain" in vals:
            vals = dict(vals, domain=self._crm_segment_normalise(vals["domain"]))
        return super().write(vals)

    def action_view_members(self):
        """The members in the contacts' list (conditions on the classification read the current company)."""
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Members of %s", self.display_name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._crm_segment_partner_domain(),
            "context": {"create": False},
        }

    def action_import_prospects(self):
        """The prospect import into this static list."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Prospects"),
            "res_model": "crm.segment.import",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_segment_id": self.id},
        }

    def _crm_segment_partner_domain(self):
        """The ``res.partner`` domain of the members: the segment's conditions (``uid`` is
        the current user) or, for a static list, membership of the list.

        Search it with :meth:`_crm_segment_partner_model` so that conditions on the
        classification read the segment's company. Raises ``ValidationError`` if the
        stored conditions no longer parse.
        """
        self.ensure_one()
        if self.kind == "static":
            return [("crm_segment_ids", "in", self._origin.ids)]
        try:
            return domains.evaluate(self.domain or "[]", uid=self.env.uid)
        except domains.ConditionError as error:
            raise ValidationError(
                self.env._(
                    "The conditions of segment %(name)s are not valid: %(error)s", name=self.display_name, error=error
                )
            ) from error

    def _crm_segment_partner_model(self):
        """``res.partner`` in the segment's company (the current one for a shared segment)."""
        self.ensure_one()
        return self.env["res.partner"].with_company(self.company_id or self.env.company)

    def _crm_segment_partners(self):
        """The members of the segment the current user may see."""
        self.ensure_one()
        return self._crm_segment_partner_model().search(self._crm_segment_partner_domain())

    def _crm_segment_partner_query(self):
        """The members as a subquery, for a domain ``[("id", "in", query)]`` that keeps the
        segment's company whatever the environment it is searched in."""
        self.ensure_one()
        return self._crm_segment_partner_model()._search(self._crm_segment_partner_domain())

    def _crm_segment_add_partners(self, partners):
        """Add ``partners`` to this static list in one insert.

        The ORM's many2many write reads the whole relation before adding to it, which
        for a list of 100,000 members costs more than the import itself.
        """
        self.ensure_one()
        self.check_access("write")
        if self.kind != "static":
            raise ValidationError(
                self.env._("Only a static list has members to add: %s is dynamic.", self.display_name)
            )
        if not partners:
            return
        partners.check_access("read")
        self.flush_recordset(["partner_ids"])
        self.env.cr.execute(
            SQL(
                "INSERT INTO crm_segment_partner_rel (segment_id, partner_id) "
                "SELECT %s, unnest(%s::int[]) ON CONFLICT DO NOTHING",
                self.id,
                list(partners.ids),
            )
        )
        self.invalidate_recordset(["partner_ids", "member_count", "preview_partner_ids"])
        partners.invalidate_recordset(["crm_segment_ids"])

    def _crm_segment_normalise(self, text):
        """The text to store for conditions typed by a user; ``ValidationError`` if they are no literal domain."""
        try:
            return domains.normalise(text or "[]")
        except domains.ConditionError as error:
            raise ValidationError(
                self.env._(
                    "The conditions are not a valid domain: %s. Write them as [('field', 'operator', value)].", error
                )
            ) from error

    def _crm_segment_check_domain(self, text):
        """Refuse conditions on unknown fields, with wrong operators or wrong values.

        The domain is turned into SQL (unknown fields and paths fail there) and run once
        with ``limit=1`` inside a savepoint (wrong value types fail there), so that a
        mistake is told when the segment is saved, not when a mailing is sent.
        """
        try:
            domain = domains.evaluate(text or "[]", uid=self.env.uid)
        except domains.ConditionError as error:
            raise ValidationError(self.env._("The conditions are not a valid domain: %s.", error)) from error
        Partner = self._crm_segment_partner_model()
        try:
            # no flush: the search writes nothing, and rolling a flushing savepoint back
            # would clear the cache of a form being edited
            with self.env.cr.savepoint(flush=False):
                Partner.search(domain, limit=1)
        except (
            ValueError,
            KeyError,
            TypeError,
            NotImplementedError,
            psycopg2.DataError,
            psycopg2.ProgrammingError,
        ) as error:
            raise ValidationError(
                self.env._("The conditions cannot be used on contacts: %s. Check the field names and values.", error)
            ) from error
