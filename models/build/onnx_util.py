"""A tiny builder over the `onnx.helper` API: name management, constants, one call per node."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # LayerNormalization needs 17; ONNX Runtime 1.31 runs it natively
IR_VERSION = 8  # the IR version that goes with opset 17


class GraphBuilder:
    def __init__(self):
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self._count = 0
        self._named = set()

    def _name(self, base):
        self._count += 1
        return f"{base}_{self._count}"

    def const(self, value, name=None, dtype=None):
        """A constant; a named constant is stored once and later calls with that name reuse it."""
        if name is not None and name in self._named:
            return name
        arr = np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        if name is not None:
            self._named.add(name)
        name = name or self._name("c")
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def i64(self, values):
        return self.const(np.asarray(values, dtype=np.int64))

    def op(self, op_type, inputs, outputs=1, name=None, **attrs):
        """Adds one node; returns its output name (or list of names if outputs > 1).
        `outputs` may also be an explicit list of output names."""
        if isinstance(outputs, int):
            base = name or op_type.lower()
            outs = [self._name(base) for _ in range(outputs)]
        else:
            outs = list(outputs)
        self.nodes.append(helper.make_node(op_type, list(inputs), outs,
                                           name=self._name("n_" + op_type), **attrs))
        return outs[0] if len(outs) == 1 else outs

    def input(self, name, elem_type, shape):
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))
        return name

    def output(self, name, elem_type, shape):
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    def identity(self, src, dst):
        self.op("Identity", [src], [dst])
        return dst

    def model(self, graph_name, doc="", metadata=None):
        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs,
                                  initializer=self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="fankui models/build", doc_string=doc)
        m.ir_version = IR_VERSION
        for k, v in (metadata or {}).items():
            p = m.metadata_props.add()
            p.key, p.value = k, str(v)
        onnx.checker.check_model(m, full_check=True)
        return m


FLOAT, INT64, UINT8 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.UINT8


def prune(graph):
    """Drops the nodes whose outputs nothing reads (repeatedly), then the initializers no node
    reads. Returns (nodes dropped, initializers dropped)."""
    nodes = 0
    while True:
        needed = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
        dead = [n for n in graph.node if not any(o in needed for o in n.output)]
        if not dead:
            break
        for n in dead:
            graph.node.remove(n)
        nodes += len(dead)
    used = {i for n in graph.node for i in n.input}
    dead = [i for i in graph.initializer if i.name not in used]
    for i in dead:
        graph.initializer.remove(i)
    return nodes, len(dead)
