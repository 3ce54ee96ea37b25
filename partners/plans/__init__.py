"""Joint business plans: goals with actuals from the platform's own data, initiatives, status, reviews."""
