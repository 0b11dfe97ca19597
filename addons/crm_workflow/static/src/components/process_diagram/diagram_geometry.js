/**
 * The geometry of the process diagram: where shapes, arrows and labels go.
 *
 * Plain functions of plain data, without OWL or the DOM, so that they are tested on
 * their own (``static/tests/diagram_geometry.test.js``). An activity is an object with
 * at least ``id``, ``kind`` and ``x``, ``y``, the top left corner of its shape in the
 * coordinates of the SVG; a transition has ``id``, ``source_id`` and ``target_id``, as
 * ``diagram_data`` sends them.
 */

/** Size of each kind's shape; an activity's x and y are the top left corner of its shape. */
export const SHAPES = {
    start: { width: 48, height: 48 },
    end: { width: 48, height: 48 },
    human: { width: 168, height: 64 },
    auto: { width: 168, height: 64 },
    gateway: { width: 72, height: 72 },
};
/** Where the toolbar drops new activities: the first free cell of this grid. */
const GRID = { x: 40, y: 40, stepX: 220, stepY: 120, columns: 4 };
/** Room left around the drawing, on the right and below. */
const MARGIN = 56;
/** The smallest drawing, so that an empty or small process still has room for a start. */
const MIN_SIZE = { width: 640, height: 200 };
/** How far (in SVG units) the pointer moves before a press on an activity becomes a drag. */
const DRAG_THRESHOLD = 4;
/** How far apart parallel transitions between the same two activities bend. */
const BEND = 36;

/** The size of an activity's shape; an unknown kind is drawn as a task. */
export function shapeOf(activity) {
    return SHAPES[activity.kind] || SHAPES.human;
}

/** The center of an activity's shape. */
export function centerOf(activity) {
    const { width, height } = shapeOf(activity);
    return { x: activity.x + width / 2, y: activity.y + height / 2 };
}

/** Where a ray from the activity's center, heading (dx, dy), leaves its shape. */
export function boundaryPoint(activity, dx, dy) {
    const center = centerOf(activity);
    const { width, height } = shapeOf(activity);
    const [hw, hh] = [width / 2, height / 2];
    const length = Math.hypot(dx, dy) || 1;
    const [ux, uy] = [dx / length, dy / length];
    let distance;
    if (activity.kind === "start" || activity.kind === "end") {
        distance = hw;
    } else if (activity.kind === "gateway") {
        distance = 1 / (Math.abs(ux) / hw + Math.abs(uy) / hh);
    } else {
        distance = Math.min(ux ? hw / Math.abs(ux) : Infinity, uy ? hh / Math.abs(uy) : Infinity);
    }
    return { x: center.x + ux * distance, y: center.y + uy * distance };
}

/**
 * The SVG path of a transition, bent sideways by ``bend`` so that parallel ones stay apart.
 *
 * @returns {{ path: string, label: {x: number, y: number}, start: {x: number, y: number}, angle: number }}
 *     the path, where its label goes, where it leaves the source and its direction there
 *     (in degrees, for the marker of a condition)
 */
export function edgeGeometry(source, target, bend = 0) {
    if (source.id === target.id) {
        // A loop below the activity (above, it could leave the drawing).
        const start = boundaryPoint(source, 1, 2);
        const end = boundaryPoint(source, -1, 2);
        const bottom = Math.max(start.y, end.y) + 40;
        return {
            path: `M ${start.x} ${start.y} C ${start.x + 24} ${bottom} ${end.x - 24} ${bottom} ${end.x} ${end.y}`,
            label: { x: (start.x + end.x) / 2, y: bottom + 8 },
            start,
            angle: 60,
        };
    }
    const [a, b] = [centerOf(source), centerOf(target)];
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const normal = { x: -(b.y - a.y) / length, y: (b.x - a.x) / length };
    const control = { x: (a.x + b.x) / 2 + normal.x * bend, y: (a.y + b.y) / 2 + normal.y * bend };
    const start = boundaryPoint(source, control.x - a.x, control.y - a.y);
    const end = boundaryPoint(target, control.x - b.x, control.y - b.y);
    return {
        path: `M ${start.x} ${start.y} Q ${control.x} ${control.y} ${end.x} ${end.y}`,
        label: {
            x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x,
            y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y - 6,
        },
        start,
        angle: (Math.atan2(control.y - start.y, control.x - start.x) * 180) / Math.PI,
    };
}

/**
 * The geometry of every transition whose two activities are drawn. Transitions between
 * the same two activities, in either direction, bend apart by their rank in the group;
 * the bend is measured from the activity with the smaller id, so that A -> B and
 * B -> A take the two sides instead of the same curve.
 *
 * @returns {{ transition: object, source: object, target: object, geometry: object }[]}
 *     grouped by pair of activities, in the order the transitions come otherwise;
 *     ``geometry`` is what {@link edgeGeometry} returns
 */
export function layoutEdges(activities, transitions) {
    const byId = Object.fromEntries(activities.map((activity) => [activity.id, activity]));
    const groups = {};
    for (const transition of transitions) {
        const key = [transition.source_id, transition.target_id].sort((a, b) => a - b).join("-");
        (groups[key] ||= []).push(transition);
    }
    const edges = [];
    for (const group of Object.values(groups)) {
        group.forEach((transition, index) => {
            const source = byId[transition.source_id];
            const target = byId[transition.target_id];
            if (!source || !target) {
                return;
            }
            // Ranks centred on zero: one transition is straight, two bend by BEND each way.
            const offset = (index - (group.length - 1) / 2) * BEND * 2 || 0;
            const bend = source.id < target.id ? offset : -offset;
            edges.push({ transition, source, target, geometry: edgeGeometry(source, target, bend) });
        });
    }
    return edges;
}

/** The first cell of the grid where a shape of ``kind`` overlaps no activity. */
export function freeSpot(activities, kind) {
    const { width, height } = SHAPES[kind];
    const overlaps = (x, y) =>
        activities.some((activity) => {
            const shape = shapeOf(activity);
            return (
                x < activity.x + shape.width + 24 &&
                activity.x < x + width + 24 &&
                y < activity.y + shape.height + 32 &&
                activity.y < y + height + 32
            );
        });
    for (let row = 0; ; row++) {
        for (let column = 0; column < GRID.columns; column++) {
            // Centred on the cell, so that a row of activities joins with straight arrows.
            const x = Math.round(GRID.x + column * GRID.stepX + (SHAPES.human.width - width) / 2);
            const y = Math.round(GRID.y + row * GRID.stepY + (SHAPES.human.height - height) / 2);
            if (!overlaps(x, y)) {
                return { x, y };
            }
        }
    }
}

/** The SVG viewBox ``[0, 0, width, height]`` holding every activity, with a margin. */
export function viewBoxOf(activities) {
    let [width, height] = [MIN_SIZE.width, MIN_SIZE.height];
    for (const activity of activities) {
        const shape = shapeOf(activity);
        width = Math.max(width, activity.x + shape.width + MARGIN);
        height = Math.max(height, activity.y + shape.height + MARGIN);
    }
    return [0, 0, width, height];
}

/** The points of a gateway's diamond in a ``width`` x ``height`` box, 1 unit inside it. */
export function diamondPoints(width, height) {
    return `${width / 2},1 ${width - 1},${height / 2} ${width / 2},${height - 1} 1,${height / 2}`;
}

/** Whether the pointer, pressed at ``start`` and now at ``point``, moved far enough to drag. */
export function exceedsDragThreshold(start, point) {
    return Math.hypot(point.x - start.x, point.y - start.y) >= DRAG_THRESHOLD;
}

/**
 * Where an activity first at ``origin`` goes when the pointer moves from ``start`` to
 * ``point``: on whole units, never left of or above the drawing.
 */
export function dragPosition(origin, start, point) {
    return {
        x: Math.max(0, Math.round(origin.x + (point.x - start.x))),
        y: Math.max(0, Math.round(origin.y + (point.y - start.y))),
    };
}

/** ``text`` cut to ``size`` characters, an ellipsis last, so that a label fits its shape. */
export function truncate(text, size) {
    return text && text.length > size ? `${text.slice(0, size - 1)}…` : text || "";
}
