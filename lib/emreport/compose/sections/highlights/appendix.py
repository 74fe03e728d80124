"""Being written."""


def compose(ctx):
    raise NotImplementedError
