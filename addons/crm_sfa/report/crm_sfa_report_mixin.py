from contextvars import ContextVar

from odoo import models
from odoo.models import regex_order
from odoo.tools import SQL

# Set while _read_group below runs Odoo's _read_group: its ORDER BY then names
# the raw ids of the many2one groups. Server-side state, not a context key a caller could send.
_ORDER_BY_RAW_IDS = ContextVar("crm_sfa_order_by_raw_ids", default=False)


class CrmSfaReportMixin(models.AbstractModel):
    """Grouping of the sales force reports: aggregate first, put the groups in order after.

    To order groups of a many2one by its comodel's order (a salesperson's name, a
    stage's sequence), Odoo joins the comodels to every row and groups by their
    columns too. Over a million rows PostgreSQL then cannot tell how few groups there
    are and sorts every row on disk instead of hashing them: the funnel took 1.3 s
    for 160 groups. Here the database groups and orders by the raw ids, and the few
    groups are put back in the comodels' order in Python (one query per many2one).
    With an offset or a limit, the order has to be the database's: Odoo's way then.

    This is the reports' only change to Odoo's grouping, and it changes the order of the
    groups only (:meth:`_crm_sfa_sort_groups`): the figures (sums, averages, rates) are the
    fields' own aggregates, which Odoo computes.
    """

    _name = "crm.sfa.report.mixin"
    _description = "Sales Force Report"

    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        if offset or limit or not order or not groupby:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        # Odoo's own grouping and aggregates, ordered by the raw ids of the many2one groups
        # (_read_group_orderby below), then put in the order asked for
        token = _ORDER_BY_RAW_IDS.set(True)
        try:
            rows = super()._read_group(domain, groupby, aggregates, having, order=order)
        finally:
            _ORDER_BY_RAW_IDS.reset(token)
        return self._crm_sfa_sort_groups(rows, [*groupby, *aggregates], order)

    def _read_group_orderby(self, order, groupby_terms, query):
        if not (order and _ORDER_BY_RAW_IDS.get()):
            return super()._read_group_orderby(order, groupby_terms, query)
        terms = []
        for part in order.split(","):
            match = regex_order.match(part)
            field = self._fields.get(match["term"]) if match else None
            if field and field.type == "many2one" and match["term"] in groupby_terms:
                direction = SQL("DESC") if (match["direction"] or "").upper() == "DESC" else SQL("ASC")
                terms.append(SQL("%s %s", groupby_terms[match["term"]], direction))
            else:
                terms.append(super()._read_group_orderby(part, groupby_terms, query))
        return SQL(", ").join(terms)

    def _crm_sfa_sort_groups(self, rows, columns, order):
        """``rows`` in ``order``, many2one groups after their comodel's order, empty ones last."""
        keys = []
        for part in order.split(","):
            match = regex_order.match(part)
            if not match or match["term"] not in columns:
                return rows  # ordered by something not returned: the database's order stands
            keys.append((columns.index(match["term"]), (match["direction"] or "").upper() == "DESC"))
        rows = list(rows)
        for index, descending in reversed(keys):
            values = [row[index] for row in rows]
            if values and isinstance(values[0], models.BaseModel):
                records = values[0].browse({value.id for value in values if value})
                # sudo: only the order of records already shown as groups is read
                ordered = records.sudo().with_context(active_test=False).search([("id", "in", records.ids)])
                rank = {record_id: position for position, record_id in enumerate(ordered.ids)}
                rows.sort(key=lambda row, i=index, rank=rank: rank.get(row[i].id, len(rank)), reverse=descending)
            elif all(isinstance(value, bool) for value in values):
                rows.sort(key=lambda row, i=index: row[i], reverse=descending)
            else:
                # no value (None, or False for an empty date group) last, as PostgreSQL's NULLs
                rows.sort(key=lambda row, i=index: _empty_last(row[i]), reverse=descending)
        return rows


def _empty_last(value):
    return (True, 0) if value is None or value is False else (False, value)
