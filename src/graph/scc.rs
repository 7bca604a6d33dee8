//! Strongly connected components without recursion, for cycle detection.

use petgraph::graph::{DiGraph, NodeIndex};

/// petgraph's `tarjan_scc` (Pearce's variant) without recursion: the same components in the
/// same order with their nodes in the same order, but a long chain of references (thousands of
/// locals each naming the previous) cannot overflow the stack.
pub(super) fn tarjan_scc_iterative<N, E>(g: &DiGraph<N, E>) -> Vec<Vec<NodeIndex>> {
    struct Frame {
        v: NodeIndex,
        neighbors: Vec<NodeIndex>,
        next: usize,
        local_root: bool,
        child: Option<NodeIndex>,
    }
    // 0 = not visited yet (petgraph's `None`, which orders before every index).
    let mut root: Vec<usize> = vec![0; g.node_count()];
    let mut index = 1usize;
    let mut component = usize::MAX;
    let mut stack: Vec<NodeIndex> = Vec::new();
    let mut out = Vec::new();
    let enter = |v: NodeIndex, root: &mut [usize], index: &mut usize| {
        root[v.index()] = *index;
        *index += 1;
        Frame {
            v,
            neighbors: g.neighbors(v).collect(),
            next: 0,
            local_root: true,
            child: None,
        }
    };
    for start in g.node_indices() {
        if root[start.index()] != 0 {
            continue;
        }
        let mut frames = vec![enter(start, &mut root, &mut index)];
        while let Some(f) = frames.last_mut() {
            let v = f.v.index();
            if let Some(w) = f.child.take()
                && root[w.index()] < root[v]
            {
                root[v] = root[w.index()];
                f.local_root = false;
            }
            if f.next < f.neighbors.len() {
                let w = f.neighbors[f.next];
                f.next += 1;
                if root[w.index()] == 0 {
                    f.child = Some(w);
                    let frame = enter(w, &mut root, &mut index);
                    frames.push(frame);
                } else if root[w.index()] < root[v] {
                    root[v] = root[w.index()];
                    f.local_root = false;
                }
                continue;
            }
            let local_root = f.local_root;
            let vi = f.v;
            frames.pop();
            if local_root {
                let mut adjustment = 1;
                let from = stack
                    .iter()
                    .rposition(|w| {
                        if root[v] > root[w.index()] {
                            true
                        } else {
                            root[w.index()] = component;
                            adjustment += 1;
                            false
                        }
                    })
                    .map_or(0, |x| x + 1);
                root[v] = component;
                stack.push(vi);
                out.push(stack[from..].to_vec());
                stack.truncate(from);
                index -= adjustment;
                component -= 1;
            } else {
                stack.push(vi);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use petgraph::graph::{DiGraph, NodeIndex};

    proptest::proptest! {
        #[test]
        fn iterative_tarjan_matches_petgraphs(
            n in 1usize..40,
            edges in proptest::collection::vec((0usize..40, 0usize..40), 0..120),
        ) {
            let mut g: DiGraph<usize, ()> = DiGraph::new();
            let ids: Vec<NodeIndex> = (0..n).map(|i| g.add_node(i)).collect();
            for (a, b) in edges {
                g.add_edge(ids[a % n], ids[b % n], ());
            }
            proptest::prop_assert_eq!(
                super::tarjan_scc_iterative(&g),
                petgraph::algo::tarjan_scc(&g)
            );
        }
    }

    #[test]
    fn a_cycle_of_twenty_thousand_nodes_does_not_overflow_the_stack() {
        let mut g: DiGraph<usize, ()> = DiGraph::new();
        let ids: Vec<NodeIndex> = (0..20_000).map(|i| g.add_node(i)).collect();
        for w in ids.windows(2) {
            g.add_edge(w[0], w[1], ());
        }
        g.add_edge(ids[19_999], ids[0], ());
        let sccs = super::tarjan_scc_iterative(&g);
        assert_eq!(sccs.len(), 1);
        assert_eq!(sccs[0].len(), 20_000);
    }
}
