print("forllm")
