import { describe, expect, test } from "@odoo/hoot";
import {
    boundaryPoint,
    centerOf,
    diamondPoints,
    dragPosition,
    edgeGeometry,
    exceedsDragThreshold,
    freeSpot,
    layoutEdges,
    shapeOf,
    SHAPES,
    truncate,
    viewBoxOf,
} from "@crm_workflow/components/process_diagram/diagram_geometry";

/** Two tasks side by side on the first row of the grid, as the toolbar drops them. */
const first = { id: 1, kind: "human", x: 40, y: 40 };
const second = { id: 2, kind: "human", x: 260, y: 40 };

/** The control point of a quadratic path "M x y Q cx cy x y". */
function controlOf(path) {
    const [, cx, cy] = path.match(/Q (\S+) (\S+)/);
    return { x: Number(cx), y: Number(cy) };
}

describe("crm_workflow diagram geometry", () => {
    test("shapes: each kind has its size, an unknown kind is drawn as a task", () => {
        expect(shapeOf({ kind: "gateway" })).toEqual({ width: 72, height: 72 });
        expect(shapeOf({ kind: "start" })).toEqual(SHAPES.end);
        expect(shapeOf({ kind: "meeting" })).toEqual(SHAPES.human);
        expect(centerOf(first)).toEqual({ x: 124, y: 72 });
        expect(centerOf({ kind: "start", x: 0, y: 0 })).toEqual({ x: 24, y: 24 });
    });

    test("boundary point: a ray from the center leaves a task on its rectangle", () => {
        expect(boundaryPoint(first, 1, 0)).toEqual({ x: 208, y: 72 });
        expect(boundaryPoint(first, 0, -5)).toEqual({ x: 124, y: 40 });
        // steep: through the bottom side, half a height down for a quarter width across
        const point = boundaryPoint(first, 1, 2);
        expect(point.x).toBeCloseTo(140, { margin: 1e-9 });
        expect(point.y).toBeCloseTo(104, { margin: 1e-9 });
    });

    test("boundary point: on the circle of a start or an end, on the diamond of a gateway", () => {
        const start = boundaryPoint({ kind: "start", x: 0, y: 0 }, 3, 4);
        expect(start.x).toBeCloseTo(38.4, { margin: 1e-9 });
        expect(start.y).toBeCloseTo(43.2, { margin: 1e-9 });
        const gateway = boundaryPoint({ kind: "gateway", x: 0, y: 0 }, 1, 1);
        expect(gateway.x).toBeCloseTo(54, { margin: 1e-9 });
        expect(gateway.y).toBeCloseTo(54, { margin: 1e-9 });
        expect(boundaryPoint({ kind: "gateway", x: 0, y: 0 }, 0, 1)).toEqual({ x: 36, y: 72 });
    });

    test("edge: a straight arrow between facing sides, its label above the middle", () => {
        expect(edgeGeometry(first, second)).toEqual({
            path: "M 208 72 Q 234 72 260 72",
            label: { x: 234, y: 66 },
            start: { x: 208, y: 72 },
            angle: 0,
        });
    });

    test("edge: a bend moves the control point along the normal, both ways alike", () => {
        const right = edgeGeometry(first, second, 36);
        const left = edgeGeometry(first, second, -36);
        expect(controlOf(right.path)).toEqual({ x: 234, y: 108 });
        expect(controlOf(left.path)).toEqual({ x: 234, y: 36 });
        // mirrored about the straight line y = 72
        expect(right.start.x).toBeCloseTo(left.start.x, { margin: 1e-9 });
        expect(right.start.y - 72).toBeCloseTo(72 - left.start.y, { margin: 1e-9 });
        expect(right.start.y).toBeGreaterThan(72);
        expect(right.angle).toBeGreaterThan(0);
        expect(left.angle).toBeLessThan(0);
    });

    test("edge: a transition to its own activity loops below it", () => {
        expect(edgeGeometry(first, first, 72)).toEqual({
            path: "M 140 104 C 164 144 84 144 108 104",
            label: { x: 124, y: 152 },
            start: { x: 140, y: 104 },
            angle: 60,
        });
    });

    test("edges: one transition per pair is straight; missing activities are skipped", () => {
        const transitions = [
            { id: 10, source_id: 1, target_id: 2 },
            { id: 11, source_id: 2, target_id: 99 },
        ];
        const edges = layoutEdges([first, second], transitions);
        expect(edges).toHaveLength(1);
        const [edge] = edges;
        expect(edge.transition).toBe(transitions[0]);
        expect(edge.source).toBe(first);
        expect(edge.target).toBe(second);
        expect(edge.geometry).toEqual(edgeGeometry(first, second, 0));
    });

    test("edges: parallel transitions bend apart, whatever their direction", () => {
        const there = { id: 10, source_id: 1, target_id: 2 };
        const back = { id: 11, source_id: 2, target_id: 1 };
        const [one, two] = layoutEdges([first, second], [there, back]);
        expect(controlOf(one.geometry.path)).toEqual({ x: 234, y: 36 });
        expect(controlOf(two.geometry.path)).toEqual({ x: 234, y: 108 });

        const three = [10, 11, 12].map((id) => ({ id, source_id: 1, target_id: 2 }));
        const bends = layoutEdges([first, second], three).map((e) => controlOf(e.geometry.path).y);
        expect(bends).toEqual([0, 72, 144]);
    });

    test("edges: grouped by pair of activities, each group in the order of its transitions", () => {
        const third = { id: 3, kind: "end", x: 500, y: 48 };
        const transitions = [
            { id: 10, source_id: 1, target_id: 2 },
            { id: 11, source_id: 2, target_id: 3 },
            { id: 12, source_id: 2, target_id: 1 },
        ];
        const edges = layoutEdges([first, second, third], transitions);
        expect(edges.map((edge) => edge.transition.id)).toEqual([10, 12, 11]);
    });

    test("free spot: the first grid cell free, centred on the cell of a task", () => {
        expect(freeSpot([], "human")).toEqual({ x: 40, y: 40 });
        expect(freeSpot([], "start")).toEqual({ x: 100, y: 48 });
        expect(freeSpot([], "gateway")).toEqual({ x: 88, y: 36 });
        expect(freeSpot([first], "human")).toEqual({ x: 260, y: 40 });
        expect(freeSpot([first], "end")).toEqual({ x: 320, y: 48 });
    });

    test("free spot: a full row goes on to the next; a moved activity frees its cell", () => {
        const row = [0, 1, 2, 3].map((column) => ({ id: column + 1, kind: "human", x: 40 + 220 * column, y: 40 }));
        expect(freeSpot(row, "human")).toEqual({ x: 40, y: 160 });
        const moved = [{ ...first, x: 600, y: 400 }, second];
        expect(freeSpot(moved, "human")).toEqual({ x: 40, y: 40 });
        // close to a cell, even without covering it, still blocks it
        expect(freeSpot([{ id: 1, kind: "start", x: 230, y: 40 }], "human")).toEqual({ x: 480, y: 40 });
    });

    test("view box: holds every activity with a margin, never smaller than the minimum", () => {
        expect(viewBoxOf([])).toEqual([0, 0, 640, 200]);
        expect(viewBoxOf([first, second])).toEqual([0, 0, 640, 200]);
        expect(viewBoxOf([first, { id: 3, kind: "human", x: 700, y: 300 }])).toEqual([0, 0, 924, 420]);
        expect(viewBoxOf([{ id: 4, kind: "gateway", x: 10, y: 200 }])).toEqual([0, 0, 640, 328]);
    });

    test("diamond: the corners of a gateway, one unit inside its box", () => {
        expect(diamondPoints(72, 72)).toBe("36,1 71,36 36,71 1,36");
        expect(diamondPoints(40, 20)).toBe("20,1 39,10 20,19 1,10");
    });

    test("drag: starts past the threshold, lands on whole units inside the drawing", () => {
        const start = { x: 10, y: 10 };
        expect(exceedsDragThreshold(start, { x: 13, y: 10 })).toBe(false);
        expect(exceedsDragThreshold(start, { x: 14, y: 10 })).toBe(true);
        expect(exceedsDragThreshold(start, { x: 13, y: 13 })).toBe(true);
        const origin = { x: 100, y: 50 };
        expect(dragPosition(origin, start, { x: 15.4, y: 12.6 })).toEqual({ x: 105, y: 53 });
        expect(dragPosition(origin, start, { x: -200, y: 0 })).toEqual({ x: 0, y: 40 });
        expect(dragPosition(origin, start, { x: 10, y: -100 })).toEqual({ x: 100, y: 0 });
    });

    test("truncate: labels longer than their shape end with an ellipsis", () => {
        expect(truncate("Call back", 17)).toBe("Call back");
        expect(truncate("Check the complaint", 17)).toBe("Check the compla…");
        expect(truncate("Check the complaint", 17)).toHaveLength(17);
        expect(truncate("exactly seventeen", 17)).toBe("exactly seventeen");
        expect(truncate(false, 24)).toBe("");
        expect(truncate(undefined, 24)).toBe("");
    });
});
