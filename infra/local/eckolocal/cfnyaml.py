"""CloudFormation YAML out: intrinsics in their short forms (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`),
keys in the order given, no line wrapping, so generated templates read like written ones and
regenerate byte for byte."""

from __future__ import annotations

from typing import Any

import yaml

_SCALAR_FORMS = {"Ref": "!Ref", "Fn::Sub": "!Sub", "Fn::ImportValue": "!ImportValue", "Condition": "!Condition"}


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)  # lists indented under their key, as written by hand

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a template repeats values; anchors would only make it harder to read

    def choose_scalar_style(self) -> str:
        # `!Ref X`, not `!Ref 'X'`: PyYAML quotes every tagged scalar unless told it may stay plain.
        if self.event.tag and self.event.tag.startswith("!") and not self.event.style:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            if self.analysis.allow_block_plain and self.analysis.allow_flow_plain and not self.analysis.empty:
                return ""
        return super().choose_scalar_style()


def _represent_mapping(dumper: _Dumper, data: dict[str, Any]) -> yaml.Node:
    if len(data) == 1:
        ((key, value),) = data.items()
        if key == "Fn::GetAtt" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return dumper.represent_scalar("!GetAtt", ".".join(value))
        if key in _SCALAR_FORMS and isinstance(value, str):
            return dumper.represent_scalar(_SCALAR_FORMS[key], value)
        if key.startswith("Fn::") and key != "Fn::Transform":
            tag = "!" + key.removeprefix("Fn::")
            if isinstance(value, list):
                return dumper.represent_sequence(tag, value, flow_style=True)
            if isinstance(value, str):
                return dumper.represent_scalar(tag, value)
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items())


_Dumper.add_representer(dict, _represent_mapping)


def dump(document: Any) -> str:
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, width=10_000, allow_unicode=True, default_flow_style=False
    )
