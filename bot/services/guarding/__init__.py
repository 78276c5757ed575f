"""The guard's verdicts acted on: a blocked post removed, recorded and told; albums and split markings
judged together; markings outside any text.
"""
