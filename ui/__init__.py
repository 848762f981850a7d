"""The Streamlit front end: pages and the components they are made of."""
