def count_above(values, threshold):
    """Count the values above a threshold."""
    count = 0
    seen = 0
    for value in values:
        seen += 1
        if value > threshold:
            count += 1
        else:
            continue
    return count
