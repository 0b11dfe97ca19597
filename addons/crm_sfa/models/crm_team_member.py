from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.crm_workflow.lib import domains

from ..lib import assignment


class CrmTeamMember(models.Model):
    """A salesperson's territory and interests, on top of Odoo's assignment settings
    (capacity, domain, opt-out): the automatic assignment gives them only the leads of
    their territory that share one of their interests (see ``lib/assignment.py``)."""

    _inherit = "crm.team.member"

    crm_territory_country_ids = fields.Many2many(
        "res.country",
        "crm_team_member_territory_country_rel",
        "member_id",
        "country_id",
        string="Countries",
        help="Leads from these countries (or from the states below); empty for any place.",
    )
    crm_territory_state_ids = fields.Many2many(
        "res.country.state",
        "crm_team_member_territory_state_rel",
        "member_id",
        "state_id",
        string="States",
        help="Leads from these states (or from the countries above); empty for any place.",
    )
    crm_territory_zip_ranges = fields.Char(
        string="Zip Ranges",
        help="Zip codes of the leads, as ranges separated by commas: 75000-75999, 69, 13. "
        "A bound compares with as many characters of the zip as it has itself: "
        "69 takes every zip starting with 69. Empty for any zip.",
    )
    crm_interest_tag_ids = fields.Many2many(
        "crm.tag",
        "crm_team_member_interest_tag_rel",
        "member_id",
        "tag_id",
        string="Interest Tags",
        help="Leads with one of these tags or of the product categories below; empty for any interest.",
    )
    crm_interest_category_ids = fields.Many2many(
        "product.category",
        "crm_team_member_interest_category_rel",
        "member_id",
        "category_id",
        string="Product Interests",
        help="Leads interested in these product categories (or their sub-categories), or with one of "
        "the tags above; empty for any interest.",
    )

    @api.constrains("crm_territory_zip_ranges")
    def _check_crm_territory_zip_ranges(self):
        for member in self:
            try:
                assignment.parse_zip_ranges(member.crm_territory_zip_ranges)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "The zip ranges of %(user)s read %(part)s, which is not a range: write ranges such as "
                        "75000-75999 or single values such as 69, separated by commas, the lower bound first.",
                        user=member.user_id.name,
                        part=str(error),
                    )
                ) from error

    def _get_assignment_quota(self, force_quota=False):
        """Odoo's daily quota, lowered to what the member may still receive in this run once
        ``crm.team._assign_and_convert_leads`` has given them leads by territory (the
        ``crm_sfa_assignment_left`` context key, ``((member id, leads left), ...)``: it only lowers)."""
        quota = super()._get_assignment_quota(force_quota=force_quota)
        left = dict(self.env.context.get("crm_sfa_assignment_left") or ())
        if self.id in left:
            return min(quota, left[self.id])
        return quota

    def _crm_assignment_domain(self):
        """The member's assignment domain as a list (``[]`` for any lead)."""
        self.ensure_one()
        return read_assignment_domain(
            self,
            lambda error: self.env._(
                "The assignment domain of %(user)s in %(team)s cannot be read (%(error)s): correct it on "
                "the team member's form before assigning leads.",
                user=self.user_id.name,
                team=self.crm_team_id.name,
                error=error,
            ),
        )

    def _crm_assignment_members(self, capacities, last_assigned, allowed):
        """These members as :class:`lib.assignment.Member`, in one pass.

        ``capacities`` ``{member: leads they may still take}`` (``None`` for no limit),
        ``last_assigned`` ``{(user id, team id): last assignment}``, ``allowed``
        ``{member: ids of the leads their domains let them take}`` (absent: any).
        """
        interests = self._crm_interest_tokens()
        return [
            assignment.Member(
                id=member.id,
                team_id=member.crm_team_id.id,
                capacity=capacities.get(member),
                country_ids=frozenset(member.crm_territory_country_ids.ids),
                state_ids=frozenset(member.crm_territory_state_ids.ids),
                zip_ranges=assignment.parse_zip_ranges(member.crm_territory_zip_ranges),
                interests=interests[member],
                last_assigned=last_assigned.get((member.user_id.id, member.crm_team_id.id)),
                allowed_lead_ids=allowed.get(member),
            )
            for member in self
        ]

    def _crm_interest_tokens(self):
        """``{member: frozenset of interest tokens}``; a product category covers its sub-categories."""
        categories = self.crm_interest_category_ids
        covered = {}  # category id -> ids of the member categories it falls under
        if categories:
            for category in self.env["product.category"].search([("id", "child_of", categories.ids)]):
                ancestors = {int(part) for part in category.parent_path.split("/") if part}
                covered[category.id] = ancestors & set(categories.ids)
        result = {}
        for member in self:
            own = set(member.crm_interest_category_ids.ids)
            tokens = {("tag", tag_id) for tag_id in member.crm_interest_tag_ids.ids}
            tokens.update(("category", category_id) for category_id, under in covered.items() if under & own)
            result[member] = frozenset(tokens)
        return result

    def _crm_last_assigned(self):
        """``{(user id, team id): when they last received a lead}``, in one query: the round-robin order."""
        rows = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            ._read_group(
                [
                    ("user_id", "in", self.user_id.ids),
                    ("team_id", "in", self.crm_team_id.ids),
                    ("date_open", "!=", False),
                ],
                ["user_id", "team_id"],
                ["date_open:max"],
            )
        )
        return {(user.id, team.id): last for user, team, last in rows}

    def _crm_has_criteria(self):
        """Whether this member names a territory or an interest."""
        self.ensure_one()
        return bool(
            self.crm_territory_country_ids
            or self.crm_territory_state_ids
            or (self.crm_territory_zip_ranges or "").strip()
            or self.crm_interest_tag_ids
            or self.crm_interest_category_ids
        )


def read_assignment_domain(record, message):
    """``record.assignment_domain`` (a team's or a member's) as a list, read by the suite's
    domain parser: a literal, never evaluated. ``message(error)`` is the sentence of the
    ``UserError`` raised when it cannot be read."""
    try:
        return domains.evaluate(record.assignment_domain, uid=record.env.uid)
    except domains.ConditionError as error:
        raise UserError(message(str(error))) from error
