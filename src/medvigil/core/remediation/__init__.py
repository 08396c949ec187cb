"""Acting on a risk decision: the US federal calendar, the FDA clocks, the 806/803 reporting
determination and the case lifecycle (regulatory.md 1.5-1.10, 7.1-7.4, 9). Pure Python."""
