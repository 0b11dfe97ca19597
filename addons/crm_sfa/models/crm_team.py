import datetime
from collections import defaultdict

from odoo import models
from odoo.osv import expression

from ..lib import assignment
from .crm_team_member import read_assignment_domain


class CrmTeam(models.Model):
    """Territories and interests in Odoo's lead assignment.

    Odoo assigns in two steps, both extended here through ``super()`` (the "Lead
    Assignment" cron and the team's "Assign Leads" button call ``_action_assign_leads``):

    1. ``_allocate_leads`` gives unassigned leads a team. Before Odoo's weighted draw,
       the leads matching a member who names a territory or interests go to that
       member's team (round-robin among such members, weighted by their capacity);
       leads sharing their email with another open lead are left to Odoo, which
       merges them; ``super()`` then draws the others as before.
    2. ``_assign_and_convert_leads`` gives each team's leads to its members. What is
       changed: before Odoo's own loop, the leads of ``_get_lead_to_assign_domain`` (Odoo's
       hook) are decided in plain Python (``lib/assignment.py``): Odoo's rules (the
       daily quota of ``_get_assignment_quota``, the member's domain, opt-out,
       round-robin, the most probable leads first) plus territories and interests, and
       written with one conversion and one assignment per member (Odoo's hooks
       ``_convert_opportunity_data`` and ``_handle_salesmen_assignment``) instead of
       ``convert_opportunity`` lead by lead. ``super()`` then runs Odoo's loop, and any
       extension below this one, on the leads left, with each member's quota lowered
       by what they received here and none for the members who name a territory or
       interests (they take nothing outside them); both results are returned merged.
    """

    _inherit = "crm.team"

    def _allocate_leads(self, creation_delta_days=7):
        by_territory = self._crm_allocate_leads_by_territory(creation_delta_days)
        teams_data = super()._allocate_leads(creation_delta_days=creation_delta_days)
        for team, leads in by_territory.items():
            data = teams_data.setdefault(
                team,
                {"team": team, "leads": leads.browse(), "assigned": set(), "merged": set(), "duplicates": set()},
            )
            data["assigned"].update(leads.ids)
        return teams_data

    def _assign_and_convert_leads(self, force_quota=False):
        """Territories and interests first, in batch, then Odoo's own assignment of the rest.

        Returns the structure of Odoo's method: ``{member: {"assigned": leads, "quota": n}}``.
        """
        result = self._crm_assign_and_convert_leads(force_quota)
        # what each member may still receive from Odoo's loop (crm.team.member._get_assignment_quota)
        left = tuple(
            (member.id, 0 if member._crm_has_criteria() else max(data["quota"] - len(data["assigned"]), 0))
            for member, data in result.items()
        )
        odoo_result = super(CrmTeam, self.with_context(crm_sfa_assignment_left=left))._assign_and_convert_leads(
            force_quota=force_quota
        )
        for odoo_member, data in odoo_result.items():
            member, assigned = odoo_member.with_env(self.env), data["assigned"].with_env(self.env)
            if member in result:
                result[member]["assigned"] |= assigned
            else:
                result[member] = {"assigned": assigned, "quota": data["quota"]}
        return result

    def _crm_assign_and_convert_leads(self, force_quota):
        """Assign the teams' leads to their members by ``lib/assignment.py``, one write per member.

        Returns ``{member: {"assigned": leads, "quota": n}}`` for the members of the teams that
        have leads to assign.
        """
        Lead = self.env["crm.lead"]
        teams = self.filtered("crm_team_member_ids")
        members = teams.crm_team_member_ids.filtered(lambda member: not member.assignment_optout)
        quota = {member: member._get_assignment_quota(force_quota=force_quota) for member in members}
        members = members.filtered(lambda member: quota[member] > 0)
        if not members:
            return {}
        groups = Lead._read_group(members.crm_team_id._get_lead_to_assign_domain(), ["team_id"], ["id:array_agg"])
        leads = Lead.browse(lead_id for __, lead_ids in groups for lead_id in lead_ids)
        if not leads:
            return {}
        # Odoo's order: the most probable leads first
        leads = leads.sorted(lambda lead: (-lead.probability, lead.id))
        decision = assignment.assign(
            leads._crm_assignment_leads(),
            members._crm_assignment_members(
                quota, members._crm_last_assigned(), self._crm_allowed_leads(leads, members, with_team=False)
            ),
        )
        member_by_id = {member.id: member for member in members}
        result = {
            member: {"assigned": Lead, "quota": quota[member]}
            for member in members
            if member.crm_team_id in leads.team_id
        }
        for member_id, lead_ids in decision.by_member().items():
            member = member_by_id[member_id]
            assigned = Lead.browse(lead_ids)
            assigned._crm_assign_salesperson(member.user_id, member.crm_team_id)
            result[member]["assigned"] = assigned
        return result

    def _crm_allocate_leads_by_territory(self, creation_delta_days):
        """Give the unassigned leads matching a territory or interests the team of a
        member who names them; return ``{team: leads}``."""
        members = self.crm_team_member_ids.filtered(
            lambda member: not member.assignment_optout and member.assignment_max > 0 and member._crm_has_criteria()
        )
        if not members:
            return {}
        Lead = self.env["crm.lead"]
        leads = Lead.search(self._crm_unallocated_leads_domain(creation_delta_days), order="probability desc, id")
        # leads with a duplicate go through Odoo's allocation, which merges them
        leads -= leads._crm_with_duplicates()
        if not leads:
            return {}
        lead_infos = leads._crm_assignment_leads()
        allowed = self._crm_allowed_leads(leads, members, with_team=True)
        last_assigned = members._crm_last_assigned()
        capacities = {member: member._get_assignment_quota(force_quota=True) for member in members}
        decision = assignment.assign(lead_infos, members._crm_assignment_members(capacities, last_assigned, allowed))
        if decision.overflow:
            # beyond their daily capacity the leads still go to their specialists' teams,
            # where they wait for the next run rather than go to a team of another territory
            waiting = set(decision.overflow)
            decision.assigned.update(
                assignment.assign(
                    [info for info in lead_infos if info.id in waiting],
                    members._crm_assignment_members({}, last_assigned, allowed),
                ).assigned
            )
        team_by_member = {member.id: member.crm_team_id for member in members}
        by_team = defaultdict(list)
        for lead_id, member_id in decision.assigned.items():
            by_team[team_by_member[member_id]].append(lead_id)
        result = {}
        for team, lead_ids in by_team.items():
            team_leads = Lead.browse(lead_ids)
            # the salesperson's assignment, next, leaves the note in the chatter
            team_leads.with_context(mail_notrack=True).write({"team_id": team.id})
            result[team] = team_leads
        return result

    def _crm_unallocated_leads_domain(self, creation_delta_days):
        """The leads Odoo's ``_allocate_leads`` considers, before the teams' domains."""
        # sudo: a technical setting of Odoo's assignment, read as Odoo reads it
        delay = float(self.env["ir.config_parameter"].sudo().get_param("crm.assignment.delay", default=0))
        now = self.env.cr.now()
        domain = [
            ("create_date", "<=", now - datetime.timedelta(hours=delay)),
            ("team_id", "=", False),
            ("user_id", "=", False),
            "|",
            ("stage_id", "=", False),
            ("stage_id.is_won", "=", False),
        ]
        if creation_delta_days > 0:
            domain.append(("create_date", ">", now - datetime.timedelta(days=creation_delta_days)))
        return domain

    def _crm_allowed_leads(self, leads, members, with_team):
        """``{member: frozenset of lead ids}`` among ``leads`` that the member's assignment
        domain (and their team's, ``with_team``) lets them take; members without domain are absent.

        One search per distinct domain, restricted to ``leads``.
        """
        matching = {}

        def ids_matching(owner):
            domain = owner._crm_assignment_domain()
            if not domain:
                return None
            key = repr(domain)
            if key not in matching:
                matching[key] = frozenset(leads.search(expression.AND([[("id", "in", leads.ids)], domain])).ids)
            return matching[key]

        allowed = {}
        for member in members:
            sets = [ids_matching(member)]
            if with_team:
                sets.append(ids_matching(member.crm_team_id))
            sets = [found for found in sets if found is not None]
            if sets:
                allowed[member] = frozenset.intersection(*sets)
        return allowed

    def _crm_assignment_domain(self):
        """The team's assignment domain as a list (``[]`` for any lead)."""
        self.ensure_one()
        return read_assignment_domain(
            self,
            lambda error: self.env._(
                "The assignment domain of the sales team %(team)s cannot be read (%(error)s): correct it on "
                "the team's form before assigning leads.",
                team=self.name,
                error=error,
            ),
        )
