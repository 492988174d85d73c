def check(input, expected_output, actual_output):
    nums, target = input
    if expected_output == "none":
        passed = actual_output == []
        return {
            "passed": passed,
            "message": "no pair, as expected" if passed else "expected no pair",
            "score": 1 if passed else 0,
        }
    valid = (
        isinstance(actual_output, list)
        and len(actual_output) == 2
        and all(type(k) is int and 0 <= k < len(nums) for k in actual_output)
        and actual_output[0] != actual_output[1]
        and nums[actual_output[0]] + nums[actual_output[1]] == target
    )
    if valid and expected_output == "half":
        return {"passed": True, "message": "half marks", "score": 0.5}
    return {
        "passed": valid,
        "message": "a valid pair" if valid else "not a pair with the sum",
        "score": 1 if valid else 0,
    }
