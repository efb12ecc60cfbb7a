"""Compare the converter's one-walk value_refs with value + refs on every attribute of a piece of HCL."""

from drdata.hcl import treesitter


def value_refs_mismatches(text: str) -> list[str]:
    src = text.encode()
    tree = treesitter._parse(src)
    conv = treesitter._Converter(src, None, 1)
    bad = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type != "attribute" or node.has_error:
            continue
        expr = node.named_children[-1]
        if expr.type != "expression":
            continue
        for scope in (frozenset(), frozenset({"each", "item"})):
            found = []
            value = conv.value_refs(expr, scope, found)
            expected = conv.refs(expr, scope)
            if value != conv.value(expr) or type(value) is not type(conv.value(expr)) \
                    or sorted(found, key=lambda r: (r.line, r.address)) != expected:
                bad.append(conv.text(expr))
    return bad
