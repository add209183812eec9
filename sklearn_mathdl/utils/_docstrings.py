"""Shared numpydoc text: engine parameters are written once, in MLPClassifier.

Every torch estimator takes the engine's parameters (optimizer, schedule,
penalties, stopping, seeding, device...). Their descriptions live in one place,
the docstring of :class:`~sklearn_mathdl.MLPClassifier` (and MLPRegressor's
``normalize_y``); other estimators write only their own parameters and
:func:`fill_parameters` inserts the rest, in the order of ``__init__``.
"""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect


def _indent(doc, title):
    """Leading whitespace of the line that holds the section title."""
    for line in doc.split("\n"):
        if line.strip() == title:
            return line[: len(line) - len(line.lstrip())]
    raise ValueError(f"The docstring has no {title!r} section.")


def _lines_between(doc, title, stop_titles):
    """Index range of the body of section ``title`` (after its underline)."""
    lines = doc.split("\n")
    start = lines.index(_indent(doc, title) + title) + 2
    end = next(
        (i for i in range(start, len(lines)) if lines[i].strip() in stop_titles),
        len(lines),
    )
    return lines, start, end


_SECTIONS = {
    "Parameters",
    "Attributes",
    "See Also",
    "Notes",
    "References",
    "Examples",
    "Returns",
    "Yields",
    "Raises",
    "Warns",
    "Methods",
}


def param_blocks(doc, title="Parameters"):
    """Map name -> numpydoc block (name line plus its indented text) of a section.

    Parameters
    ----------
    doc : str
        A class docstring in numpydoc layout.

    title : str, default="Parameters"
        The section to read.

    Returns
    -------
    blocks : dict of str to str
        Blocks in the order of the docstring, without trailing blank lines.
    """
    lines, start, end = _lines_between(doc, title, _SECTIONS - {title})
    indent = _indent(doc, title)
    blocks, name = {}, None
    for line in lines[start:end]:
        if line.startswith(indent) and not line.startswith(indent + " "):
            if " : " in line:
                name = line.strip().split(" : ")[0]
                blocks[name] = [line]
                continue
        if name is not None:
            blocks[name].append(line)
    return {k: "\n".join(v).rstrip() for k, v in blocks.items()}


def section(doc, title):
    """The section ``title`` of ``doc``: its title line, underline and body.

    Parameters
    ----------
    doc : str
        A class docstring in numpydoc layout.

    title : str
        The section's title.

    Returns
    -------
    text : str
        The section without trailing blank lines.
    """
    lines, start, end = _lines_between(doc, title, _SECTIONS - {title})
    return "\n".join(lines[start - 2 : end]).rstrip()


# Fitted attributes every torch estimator sets (see _base._BaseTorchEstimator).
ENGINE_ATTRIBUTES = (
    "n_features_in_",
    "feature_names_in_",
    "module_",
    "n_iter_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
)


def _reindented(doc, title, indent):
    """``param_blocks(doc, title)`` with the indentation changed to ``indent``."""
    try:
        old = _indent(doc, title)
    except ValueError:
        return {}
    return {
        name: "\n".join(
            indent + line[len(old) :] if line.startswith(old) else line
            for line in block.split("\n")
        )
        for name, block in param_blocks(doc, title).items()
    }


def _rewrite(cls, sources, title, names, own_first):
    """Rewrite section ``title`` of ``cls.__doc__`` as the blocks of ``names``.

    Each block is the class's own if it has one, else the first source's.
    With ``own_first``, the class's blocks not in ``names`` come first.
    """
    doc = cls.__doc__
    own = param_blocks(doc, title)
    indent = _indent(doc, title)
    shared = [_reindented(src.__doc__, title, indent) for src in sources]
    if own_first:
        names = [n for n in own if n not in names] + list(names)
    blocks = []
    for name in names:
        block = own.get(name)
        if block is None:
            block = next((s[name] for s in shared if name in s), None)
        if block is None:
            raise ValueError(
                f"No docstring describes {title.lower()[:-1]} {name!r} of "
                f"{cls.__name__}."
            )
        blocks.append(block)
    lines, start, end = _lines_between(doc, title, _SECTIONS - {title})
    body = "\n\n".join(blocks).split("\n")
    cls.__doc__ = "\n".join([*lines[:start], *body, "", *lines[end:]])


def fill_parameters(*sources, attributes=()):
    """Class decorator: complete Parameters (and Attributes) from other docstrings.

    Every ``__init__`` parameter that the class's own Parameters section does
    not describe is taken from the first of ``sources`` that does, and the
    section is rewritten in the order of the signature. A parameter that no
    source describes raises ``ValueError`` at import, so a new parameter cannot
    go undocumented. The Attributes section keeps the class's own attributes
    and then lists ``attributes``, each the class's own text if it has one,
    else the first source's.

    Parameters
    ----------
    *sources : classes
        Classes whose docstrings describe the shared parameters.

    attributes : tuple of str, default=()
        Fitted attributes to list after the class's own, in this order.

    Returns
    -------
    decorator : callable
        Takes and returns the class, with ``__doc__`` replaced.
    """

    def decorate(cls):
        names = [
            name
            for name, p in inspect.signature(cls.__init__).parameters.items()
            if name != "self" and p.kind is not p.VAR_KEYWORD
        ]
        unknown = set(param_blocks(cls.__doc__)) - set(names)
        if unknown:
            raise ValueError(
                f"{cls.__name__}'s docstring describes {sorted(unknown)}, which "
                "are not parameters of __init__."
            )
        _rewrite(cls, sources, "Parameters", names, own_first=False)
        if attributes:
            _rewrite(cls, sources, "Attributes", attributes, own_first=True)
        return cls

    return decorate
