"""Quality improvement (short bursts): opportunities, projects, driver diagrams, PDSA cycles, Pareto and flow charts."""
