"""``python -m partnerlab.cli``: the ``partnerlab`` command."""

from partnerlab.cli import main

main()
