"""The kernel every use case runs on: the context and its ports, the unit of work, the guard asked, a
consultation read with its people, who is asking.
"""
