use exolint::registry::*;
#[test]
fn probe() {
    let r = std::panic::catch_unwind(|| Registry::builtin());
    match r {
        Ok(r) => {
            println!("{}", render_list(&r));
            println!("{}", render_show(&r, "cho2018_scrt_ascexo_ad").unwrap());
        }
        Err(e) => println!(
            "{}",
            e.downcast_ref::<String>().cloned().unwrap_or_default()
        ),
    }
}
