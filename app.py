"""Streamlit entry point: `streamlit run app.py`. Pages arrive with the app issue."""

import streamlit as st

st.set_page_config(page_title="graphmap", layout="wide")
st.title("graphmap")
st.caption("OFFICIAL-SENSITIVE · contextual safeguarding networks and places")
st.info("The app is being built. Use `graphmap demo` and `graphmap info` meanwhile.")
