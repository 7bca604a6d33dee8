//! The dependency graph of a configuration (petgraph): variables, locals, resources, data
//! sources and outputs, with edges from references and `depends_on`. Building it checks every
//! reference resolves and that there is no cycle; walking it in topological order is how `eval`
//! gets its inputs before it needs them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::addr::{Mode, ModulePath, ModuleStep, ResourceAddr, module_text};
use crate::config::{Body, Config, Expr};
use crate::diag::{Diagnostic, Diagnostics, Span, did_you_mean, suggestion};
use crate::eval::refs::{Ref, references};

mod scc;
use scc::tarjan_scc_iterative;

/// One node: a named thing of the configuration, in the module it belongs to (empty path:
/// the root module). A child module's variable is evaluated from its call's argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Variable(ModulePath, String),
    Local(ModulePath, String),
    Resource(ResourceAddr),
    Output(ModulePath, String),
    /// A `check` block of the root module.
    Check(String),
}

impl Node {
    /// The module this node belongs to.
    pub fn module(&self) -> &[ModuleStep] {
        match self {
            Node::Variable(m, _) | Node::Local(m, _) | Node::Output(m, _) => m,
            Node::Resource(a) => &a.module,
            Node::Check(_) => &[],
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.module().is_empty() {
            write!(f, "{}.", module_text(self.module()))?;
        }
        match self {
            Node::Variable(_, n) => write!(f, "var.{n}"),
            Node::Local(_, n) => write!(f, "local.{n}"),
            Node::Resource(a) => write!(f, "{}", a.local_text()),
            Node::Output(_, n) => write!(f, "output.{n}"),
            Node::Check(n) => write!(f, "check.{n}"),
        }
    }
}

/// The graph: edges point from a dependency to what depends on it.
#[derive(Debug, Clone)]
pub struct Graph {
    pub graph: DiGraph<Node, Span>,
    index: HashMap<Node, NodeIndex>,
    /// Nodes in an order where every node comes after its dependencies.
    pub order: Vec<Node>,
    /// For each node, every resource it depends on through any path (computed once, since
    /// planning asks for it per resource instance).
    resource_deps: HashMap<NodeIndex, BTreeSet<ResourceAddr>>,
}

impl Graph {
    /// Direct dependencies of a node.
    pub fn dependencies(&self, n: &Node) -> Vec<&Node> {
        let Some(&i) = self.index.get(n) else {
            return Vec::new();
        };
        let mut v: Vec<&Node> = self
            .graph
            .neighbors_directed(i, petgraph::Direction::Incoming)
            .map(|j| &self.graph[j])
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Every resource a node depends on, directly or through locals and variables.
    pub fn resource_dependencies(&self, n: &Node) -> &BTreeSet<ResourceAddr> {
        static EMPTY: BTreeSet<ResourceAddr> = BTreeSet::new();
        self.index
            .get(n)
            .and_then(|i| self.resource_deps.get(i))
            .unwrap_or(&EMPTY)
    }

    /// Fills `resource_deps` in dependency order: a node's set is its direct resource
    /// dependencies plus the sets of its other direct dependencies.
    fn compute_resource_deps(&mut self) {
        let mut all: HashMap<NodeIndex, BTreeSet<ResourceAddr>> =
            HashMap::with_capacity(self.order.len());
        for n in &self.order {
            let Some(&i) = self.index.get(n) else {
                continue;
            };
            let mut set = BTreeSet::new();
            for d in self
                .graph
                .neighbors_directed(i, petgraph::Direction::Incoming)
            {
                match &self.graph[d] {
                    Node::Resource(a) => {
                        set.insert(a.clone());
                    }
                    _ => {
                        if let Some(inner) = all.get(&d) {
                            set.extend(inner.iter().cloned());
                        }
                    }
                }
            }
            all.insert(i, set);
        }
        self.resource_deps = all;
    }

    /// DOT text for `keyform graph`.
    pub fn to_dot(&self) -> String {
        let mut s = String::from(
            "digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n\tsubgraph \"root\" {\n",
        );
        let mut nodes: Vec<&Node> = self.order.iter().collect();
        nodes.sort();
        for n in &nodes {
            s.push_str(&format!(
                "\t\t\"[root] {n}\" [label = \"{n}\", shape = \"{}\"]\n",
                shape(n)
            ));
        }
        let mut edges: Vec<(String, String)> = self
            .graph
            .edge_indices()
            .filter_map(|e| self.graph.edge_endpoints(e))
            .map(|(a, b)| (self.graph[b].to_string(), self.graph[a].to_string()))
            .collect();
        edges.sort();
        edges.dedup();
        for (from, to) in edges {
            s.push_str(&format!("\t\t\"[root] {from}\" -> \"[root] {to}\"\n"));
        }
        s.push_str("\t}\n}\n");
        s
    }
}

fn shape(n: &Node) -> &'static str {
    match n {
        Node::Resource(_) => "box",
        Node::Output(..) | Node::Check(_) => "note",
        _ => "diamond",
    }
}

/// Context a reference appears in, for checking `count`/`each`/`self`.
#[derive(Clone, Copy)]
struct RefContext {
    has_count: bool,
    has_for_each: bool,
    allow_self: bool,
}

const NONE: RefContext = RefContext {
    has_count: false,
    has_for_each: false,
    allow_self: false,
};

/// Builds the graph, reporting undeclared references and cycles.
pub fn build(cfg: &Config) -> Result<Graph, Diagnostics> {
    let mut g = DiGraph::new();
    let mut index = HashMap::new();
    let mut add = |g: &mut DiGraph<Node, Span>, n: Node| {
        let i = g.add_node(n.clone());
        index.insert(n, i);
    };
    let root: ModulePath = Vec::new();
    for path in std::iter::once(&root).chain(cfg.modules.keys()) {
        for n in cfg.variables_of(path).into_iter().flat_map(BTreeMap::keys) {
            add(&mut g, Node::Variable(path.clone(), n.clone()));
        }
        for n in cfg.locals_of(path).into_iter().flat_map(BTreeMap::keys) {
            add(&mut g, Node::Local(path.clone(), n.clone()));
        }
        for n in cfg.outputs_of(path).into_iter().flat_map(BTreeMap::keys) {
            add(&mut g, Node::Output(path.clone(), n.clone()));
        }
    }
    for a in cfg.resources.keys() {
        add(&mut g, Node::Resource(a.clone()));
    }
    for n in cfg.checks.keys() {
        add(&mut g, Node::Check(n.clone()));
    }
    let mut b = Builder {
        cfg,
        g,
        index,
        diags: Diagnostics::new(),
    };
    b.edges();
    let Builder {
        g,
        index,
        mut diags,
        ..
    } = b;
    // Cycles: any strongly connected component with more than one node, or a self-loop.
    for scc in tarjan_scc_iterative(&g) {
        let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
        if scc.len() > 1 || self_loop {
            let mut names: Vec<String> = scc.iter().map(|i| g[*i].to_string()).collect();
            names.sort();
            // Point at a reference that is part of the cycle (both ends inside it), not at
            // one coming from outside.
            let span = scc
                .iter()
                .flat_map(|i| g.edges_directed(*i, petgraph::Direction::Incoming))
                .find(|e| scc.contains(&petgraph::visit::EdgeRef::source(e)))
                .map(|e| *e.weight());
            let detail = if names.len() == 1 {
                "It refers to itself, so it can never be evaluated. Remove the self-reference."
            } else {
                "These refer to each other in a loop, so none of them can be evaluated first. Break the cycle by removing one of the references."
            };
            diags.push(
                Diagnostic::error(format!("Cycle: {}", names.join(", ")), detail).with_span(span),
            );
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let order = match petgraph::algo::toposort(&g, None) {
        Ok(o) => o.into_iter().map(|i| g[i].clone()).collect(),
        Err(c) => {
            return Err(Diagnostics::from(Diagnostic::error(
                "Cycle",
                format!("{} is part of a dependency cycle.", g[c.node_id()]),
            )));
        }
    };
    let mut graph = Graph {
        graph: g,
        index,
        order,
        resource_deps: HashMap::new(),
    };
    graph.compute_resource_deps();
    Ok(graph)
}

struct Builder<'a> {
    cfg: &'a Config,
    g: DiGraph<Node, Span>,
    index: HashMap<Node, NodeIndex>,
    diags: Diagnostics,
}

impl Builder<'_> {
    fn edges(&mut self) {
        let cfg = self.cfg;
        let root: ModulePath = Vec::new();
        for path in std::iter::once(&root).chain(cfg.modules.keys()) {
            self.module_edges(path);
        }
        for (path, m) in &cfg.modules {
            // A child's variable takes its value from the call's argument, which is an
            // expression of the calling module.
            let parent = &path[..path.len() - 1];
            let ctx = RefContext {
                has_count: m.call.count.is_some(),
                has_for_each: m.call.for_each.is_some(),
                allow_self: false,
            };
            for a in &m.call.inputs {
                let me = Node::Variable(path.clone(), a.name.clone());
                self.expr_refs_in(parent, &me, &a.value, ctx, &[], false);
            }
            // How many instances the module has must be known before anything in it is
            // evaluated, so every node of the module depends on count / for_each.
            for e in m.call.count.iter().chain(&m.call.for_each) {
                let inside: Vec<Node> = self
                    .index
                    .keys()
                    .filter(|n| n.module().starts_with(path))
                    .cloned()
                    .collect();
                for (i, n) in inside.iter().enumerate() {
                    // Report a bad reference once, not once per node of the module.
                    let before = self.diags.0.len();
                    self.expr_refs_in(parent, n, e, NONE, &[], false);
                    if i > 0 {
                        self.diags.0.truncate(before);
                    }
                }
            }
            for d in &m.call.depends_on {
                // Everything in the module waits for what the call depends on.
                let inside: Vec<Node> = self
                    .index
                    .keys()
                    .filter(|n| n.module().starts_with(path))
                    .cloned()
                    .collect();
                for n in inside {
                    self.depends_on_in(parent, &n, d);
                }
            }
        }
        for r in cfg.resources.values() {
            self.resource_edges(r);
        }
        // An import's for_each, key and id are written in the root module and must be known
        // when its target is planned: its references are the target's dependencies.
        for i in &cfg.imports {
            let me = Node::Resource(i.to.config_addr());
            if !self.index.contains_key(&me) {
                continue;
            }
            let ctx = RefContext {
                has_for_each: i.for_each.is_some(),
                ..NONE
            };
            if let Some(f) = &i.for_each {
                self.expr_refs_in(&[], &me, f, NONE, &[], false);
            }
            if let crate::config::import::ImportKey::Expr(k) = &i.key {
                self.expr_refs_in(&[], &me, k, ctx, &[], false);
            }
            self.expr_refs_in(&[], &me, &i.id, ctx, &[], false);
        }
        for c in cfg.checks.values() {
            let me = Node::Check(c.name.clone());
            for a in &c.asserts {
                self.expr_refs(&me, &a.condition, NONE, &[], false);
                self.expr_refs(&me, &a.error_message, NONE, &[], false);
            }
        }
    }

    fn module_edges(&mut self, path: &ModulePath) {
        let cfg = self.cfg;
        for v in cfg
            .variables_of(path)
            .into_iter()
            .flat_map(BTreeMap::values)
        {
            let me = Node::Variable(path.clone(), v.name.clone());
            if let Some(d) = &v.default {
                self.expr_refs(&me, d, NONE, &[], true);
            }
            for c in &v.validations {
                self.validation_refs(&me, &c.condition, &v.name);
                self.validation_refs(&me, &c.error_message, &v.name);
            }
        }
        for l in cfg.locals_of(path).into_iter().flat_map(BTreeMap::values) {
            self.expr_refs(
                &Node::Local(path.clone(), l.name.clone()),
                &l.value,
                NONE,
                &[],
                false,
            );
        }
        for o in cfg.outputs_of(path).into_iter().flat_map(BTreeMap::values) {
            let me = Node::Output(path.clone(), o.name.clone());
            self.expr_refs(&me, &o.value, NONE, &[], false);
            for d in &o.depends_on {
                self.depends_on(&me, d);
            }
            for c in &o.preconditions {
                self.expr_refs(&me, &c.condition, NONE, &[], false);
                self.expr_refs(&me, &c.error_message, NONE, &[], false);
            }
        }
    }

    fn resource_edges(&mut self, r: &crate::config::Resource) {
        {
            {
                let me = Node::Resource(r.addr.clone());
                let ctx = RefContext {
                    has_count: r.count.is_some(),
                    has_for_each: r.for_each.is_some(),
                    allow_self: false,
                };
                if let Some(c) = &r.count {
                    self.expr_refs(&me, c, NONE, &[], false);
                }
                if let Some(f) = &r.for_each {
                    self.expr_refs(&me, f, NONE, &[], false);
                }
                self.body_refs(&me, &r.body, ctx, &[]);
                for d in &r.depends_on {
                    self.depends_on(&me, d);
                }
                for c in &r.lifecycle.preconditions {
                    self.expr_refs(&me, &c.condition, ctx, &[], false);
                    self.expr_refs(&me, &c.error_message, ctx, &[], false);
                }
                let post = RefContext {
                    allow_self: true,
                    ..ctx
                };
                for c in &r.lifecycle.postconditions {
                    self.expr_refs(&me, &c.condition, post, &[], false);
                    self.expr_refs(&me, &c.error_message, post, &[], false);
                }
            }
        }
    }

    fn validation_refs(&mut self, me: &Node, e: &Expr, var: &str) {
        for (r, span) in references(e.file, &e.expr, &[]) {
            if r != Ref::Var(var.to_string()) {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid reference in variable validation",
                        format!("The condition for variable \"{var}\" can only refer to the variable itself, using var.{var}."),
                    )
                    .with_span(Some(span)),
                );
            }
        }
        let _ = me;
    }

    fn body_refs(&mut self, me: &Node, body: &Body, ctx: RefContext, bound: &[String]) {
        for a in &body.attrs {
            self.expr_refs(me, &a.value, ctx, bound, false);
        }
        for b in &body.blocks {
            if b.ident == "dynamic" {
                let iter_name = b
                    .body
                    .attr("iterator")
                    .and_then(|a| a.value.as_traversal_text())
                    .or_else(|| b.labels.first().cloned())
                    .unwrap_or_default();
                if let Some(fe) = b.body.attr("for_each") {
                    self.expr_refs(me, &fe.value, ctx, bound, false);
                }
                let mut inner_bound = bound.to_vec();
                inner_bound.push(iter_name);
                for c in b.body.blocks_named("content") {
                    self.body_refs(me, &c.body, ctx, &inner_bound);
                }
            } else {
                self.body_refs(me, &b.body, ctx, bound);
            }
        }
    }

    fn depends_on(&mut self, me: &Node, e: &Expr) {
        let path = me.module().to_vec();
        self.depends_on_in(&path, me, e);
    }

    /// A `depends_on` entry written in module `path`: a resource, a data source or a whole
    /// module call (everything the module contains).
    fn depends_on_in(&mut self, path: &[ModuleStep], me: &Node, e: &Expr) {
        let text = e.as_traversal_text();
        let parts: Vec<String> = text
            .as_deref()
            .map(|t| t.split('.').map(str::to_string).collect())
            .unwrap_or_default();
        if let [m, name] = parts.as_slice()
            && m == "module"
        {
            let mut child = path.to_vec();
            child.push(ModuleStep {
                name: name.clone(),
                key: crate::addr::InstanceKey::None,
            });
            if self.cfg.modules.contains_key(&child) {
                let inside: Vec<Node> = self
                    .index
                    .keys()
                    .filter(|n| {
                        n.module().starts_with(&child)
                            && matches!(n, Node::Resource(_) | Node::Output(..))
                    })
                    .cloned()
                    .collect();
                for n in inside {
                    self.edge(&n, me, e.span());
                }
                return;
            }
        }
        let target = match parts.as_slice() {
            [d, k, n] if d == "data" => Some(ResourceAddr::data(k, n)),
            [k, n] if !["var", "local", "module"].contains(&k.as_str()) => {
                Some(ResourceAddr::managed(k, n))
            }
            _ => None,
        }
        .map(|a| a.in_module(path));
        match target {
            Some(addr) if self.index.contains_key(&Node::Resource(addr.clone())) => {
                self.edge(&Node::Resource(addr), me, e.span());
            }
            _ => self.diags.push(
                Diagnostic::error(
                    "Invalid depends_on reference",
                    "References in depends_on must be to a whole resource or data source declared in this configuration, like aws_kms_key.lab.",
                )
                .with_span(e.span()),
            ),
        }
    }

    fn edge(&mut self, from: &Node, to: &Node, span: Option<Span>) {
        if let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) {
            let sp = span.unwrap_or(Span {
                file: crate::diag::FileId(0),
                start: 0,
                end: 0,
            });
            self.g.add_edge(a, b, sp);
        }
    }

    fn expr_refs(
        &mut self,
        me: &Node,
        e: &Expr,
        ctx: RefContext,
        bound: &[String],
        is_default: bool,
    ) {
        let path = me.module().to_vec();
        self.expr_refs_in(&path, me, e, ctx, bound, is_default);
    }

    /// References of an expression written in module `path` (a module call's arguments are
    /// written in the calling module, though they feed a node of the called one).
    fn expr_refs_in(
        &mut self,
        path: &[ModuleStep],
        me: &Node,
        e: &Expr,
        ctx: RefContext,
        bound: &[String],
        is_default: bool,
    ) {
        for (r, span) in references(e.file, &e.expr, bound) {
            if is_default {
                self.diags.push(
                    Diagnostic::error(
                        "Variables not allowed",
                        "Variables may not be used here: a variable's default value must be a literal.",
                    )
                    .with_span(Some(span)),
                );
                continue;
            }
            self.reference(path, me, r, span, ctx);
        }
    }

    fn reference(&mut self, path: &[ModuleStep], me: &Node, r: Ref, span: Span, ctx: RefContext) {
        let cfg = self.cfg;
        let empty = BTreeMap::new();
        let variables = cfg.variables_of(path).unwrap_or(&empty);
        let empty_locals = BTreeMap::new();
        let locals = cfg.locals_of(path).unwrap_or(&empty_locals);
        let module_name = if path.is_empty() {
            "the root module".to_string()
        } else {
            module_text(path)
        };
        match r {
            Ref::Module(name, out) => {
                let mut child = path.to_vec();
                child.push(ModuleStep {
                    name: name.clone(),
                    key: crate::addr::InstanceKey::None,
                });
                let Some(outputs) = cfg.outputs_of(&child) else {
                    self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared module",
                            format!(
                                "No module call named \"{name}\" is declared in {module_name}.{}",
                                suggestion(&name, cfg.calls_in(path))
                            ),
                        )
                        .with_span(Some(span)),
                    );
                    return;
                };
                match out {
                    Some(o) if outputs.contains_key(&o) => {
                        self.edge(&Node::Output(child, o), me, Some(span));
                    }
                    Some(o) => self.diags.push(
                        Diagnostic::error(
                            "Unsupported attribute",
                            format!(
                                "This object does not have an attribute named \"{o}\".{}",
                                suggestion(&o, outputs.keys().map(String::as_str))
                            ),
                        )
                        .with_span(Some(span)),
                    ),
                    None => {
                        let names: Vec<String> = outputs.keys().cloned().collect();
                        for o in names {
                            self.edge(&Node::Output(child.clone(), o), me, Some(span));
                        }
                    }
                }
            }
            Ref::Var(n) => {
                if variables.contains_key(&n) {
                    self.edge(&Node::Variable(path.to_vec(), n), me, Some(span));
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared input variable",
                            format!(
                                "An input variable with the name \"{n}\" has not been declared. This variable can be declared with a variable \"{n}\" {{}} block.{}",
                                suggestion(&n, variables.keys().map(String::as_str))
                            ),
                        )
                        .with_span(Some(span)),
                    );
                }
            }
            Ref::Local(n) => {
                if locals.contains_key(&n) {
                    self.edge(&Node::Local(path.to_vec(), n), me, Some(span));
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared local value",
                            format!(
                                "A local value with the name \"{n}\" has not been declared.{}",
                                suggestion(&n, locals.keys().map(String::as_str))
                            ),
                        )
                        .with_span(Some(span)),
                    );
                }
            }
            Ref::Resource(a) => {
                let a = a.in_module(path);
                let node = Node::Resource(a.clone());
                if self.index.contains_key(&node) {
                    if &node == me {
                        self.diags.push(
                            Diagnostic::error(
                                "Self-referential block",
                                format!("Configuration for {a} may not refer to itself."),
                            )
                            .with_span(Some(span)),
                        );
                    } else {
                        self.edge(&node, me, Some(span));
                    }
                } else {
                    let names: Vec<String> = cfg
                        .resources
                        .keys()
                        .filter(|x| x.module == a.module && x.mode == a.mode && x.kind == a.kind)
                        .map(|x| x.name.clone())
                        .collect();
                    let what = if a.mode == Mode::Data {
                        "data resource"
                    } else {
                        "managed resource"
                    };
                    self.diags.push(
                        Diagnostic::error(
                            "Reference to undeclared resource",
                            format!(
                                "A {what} \"{}\" \"{}\" has not been declared in {module_name}.{}",
                                a.kind,
                                a.name,
                                suggestion(&a.name, names.iter().map(String::as_str))
                            ),
                        )
                        .with_span(Some(span)),
                    );
                }
            }
            Ref::Special(s) => {
                let bad = match s.as_str() {
                    "count" if !ctx.has_count => Some((
                        "Reference to \"count\" in non-counted context",
                        "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                    )),
                    "each" if !ctx.has_for_each => Some((
                        "Reference to \"each\" in context without for_each",
                        "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                    )),
                    "self" if !ctx.allow_self => Some((
                        "Invalid \"self\" reference",
                        "The \"self\" object is only available in postconditions and provisioners.",
                    )),
                    "action" | "run" | "output" => Some((
                        "Invalid reference",
                        "This name is only available in keyform test files.",
                    )),
                    _ => None,
                };
                if let Some((summary, detail)) = bad {
                    self.diags
                        .push(Diagnostic::error(summary, detail).with_span(Some(span)));
                }
            }
            Ref::Unknown(root) => {
                let detail = match root.as_str() {
                    "var" | "local" => format!(
                        "The \"{root}\" object cannot be accessed directly. Instead, access one of its attributes, like {root}.name."
                    ),
                    "data" => "The \"data\" object must be followed by two attribute names: the data source type and the resource name, like data.aws_caller_identity.current.".to_string(),
                    _ => {
                        let mut roots: Vec<&str> =
                            vec!["var", "local", "data", "count", "each", "path", "self"];
                        roots.extend(cfg.resources.keys().map(|a| a.kind.as_str()));
                        let hint = match did_you_mean(&root, roots) {
                            Some(c) => format!(" Did you mean \"{c}\"?"),
                            None if !root.contains('_') => format!(
                                " To write the text \"{root}\" itself, put it in quotes."
                            ),
                            None => String::new(),
                        };
                        format!(
                            "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.{hint}"
                        )
                    }
                };
                self.diags
                    .push(Diagnostic::error("Invalid reference", detail).with_span(Some(span)));
            }
        }
    }
}

/// Groups nodes by kind, for listing.
pub fn summary(g: &Graph) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for n in &g.order {
        let k = match n {
            Node::Variable(..) => "variables",
            Node::Local(..) => "locals",
            Node::Resource(_) => "resources",
            Node::Output(..) => "outputs",
            Node::Check(_) => "checks",
        };
        *m.entry(k).or_insert(0) += 1;
    }
    m
}
