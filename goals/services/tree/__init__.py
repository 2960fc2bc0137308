"""Writes of the goal decomposition tree (目标分解树): every change is atomic, audited and refused
in a closed period.

The tree of one period is stored as `Goal` rows with a materialised `path` ("/1/4/9/") and `depth`:
a subtree is one `path__startswith` filter, and a move rewrites the whole subtree in one UPDATE.
Invariants that need other rows live here: a parent is in the same period (and so the same tenant),
a goal never moves under itself or its own descendant, the tree stays at most `MAX_DEPTH` deep, and a
tree is published only when the weights of every sibling group (the top level included) add up to
exactly 100.

Publication is recorded as an audit event (`goal_tree.publish`) on the period: the goals model has no
publication flag, and the audit log already says who published what and when. Every tree write
carries the period id in its audit `after`, so "changed since publication" is one query
(`goals.selectors.tree.periods.tree_publication`).

`rules` (limits, audit actions and the checks every write runs), `nodes` (create, update, move, delete,
reweight one node or sibling group), `whole_tree` (a period's tree: publish, copy).
"""
