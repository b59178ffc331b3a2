// Replaced by the backend-selection preload of the test harness.
export {};
