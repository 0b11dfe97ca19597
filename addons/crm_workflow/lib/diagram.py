"""The diagram widget's exchange with the server: what it may send and how its data reads.

The process form's diagram (``static/src/components/process_diagram``) reads a process
with ``crm.workflow.process.diagram_data`` and sends its edits to ``diagram_save`` as a
dict of changes; this module holds the plain rules of that exchange.
"""

# The kinds of change ``diagram_save`` accepts.
CHANGES = {
    "move",
    "create_activities",
    "update_activities",
    "delete_activities",
    "create_transitions",
    "update_transitions",
    "delete_transitions",
}
OPEN_STATES = {"waiting", "active", "offered", "taken"}


def status(states):
    """Where an instance stands at an activity, from the states of its work items there."""
    if "error" in states:
        return "error"
    if OPEN_STATES.intersection(states):
        return "open"
    if "done" in states:
        return "done"
    return "cancel" if "cancel" in states else "none"


def references(changes):
    """The activity and transition ids that ``changes`` name, and their values.

    Raises ``TypeError`` (or ``ValueError``, ``AttributeError``) on changes of the wrong shape.
    """
    activity_ids = [move[0] for move in changes.get("move") or []]
    transition_ids = []
    values_list = list(changes.get("create_activities") or []) + list(changes.get("create_transitions") or [])
    for key, ids in (("activities", activity_ids), ("transitions", transition_ids)):
        for record_id, values in changes.get(f"update_{key}") or []:
            ids.append(record_id)
            values_list.append(values)
        ids.extend(changes.get(f"delete_{key}") or [])
    for values in values_list:
        if not isinstance(values, dict):
            raise TypeError(values)
        activity_ids += [values[key] for key in ("source_id", "target_id") if values.get(key)]
    return activity_ids, transition_ids, values_list


def has_condition(condition):
    return "".join((condition or "").split()) not in ("", "[]")
