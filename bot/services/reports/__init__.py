"""What leaves the bot for people who were not in the chat: the report, statistics, transcripts and the
checkpoints behind them.
"""
