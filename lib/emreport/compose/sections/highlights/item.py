"""Being written."""


def compose(ctx):
    raise NotImplementedError


def default_tree(ctx):
    raise NotImplementedError
